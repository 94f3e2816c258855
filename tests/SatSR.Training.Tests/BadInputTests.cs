using SatSR.Geometry;
using SatSR.Models;
using SatSR.Models.Loading;

namespace SatSR.Training.Tests;

/// <summary>Each is one line naming the file or option, and nothing is written: no output, no checkpoint.</summary>
public class BadInputTests
{
    private static void Refused(TrainingOptions options, string named, string problem)
    {
        var e = Assert.IsAssignableFrom<SatSRException>(Record.Exception(() => Trainer.Run(options, null, CancellationToken.None)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(named, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.False(File.Exists(options.OutputPath));
        Assert.False(File.Exists(options.CheckpointPath));
        Assert.False(File.Exists(options.OutputPath + ".partial"));
    }

    [Fact]
    public void A_file_that_is_not_a_raster()
    {
        using var temp = new TempFolder();
        var text = temp.File("notes.tif");
        File.WriteAllText(text, "not an image\n");
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        Refused(TrainingFixtures.Options(model, text, temp.File("out.pth")), "notes.tif", "not a raster GDAL can read");
    }

    [Fact]
    public void A_base_model_of_an_architecture_the_trainer_does_not_know()
    {
        using var temp = new TempFolder();
        // A plain .onnx runs in SatSR as it is, but its architecture is unknown ("onnx"), so there is nothing to train.
        var onnx = temp.File("plain.onnx");
        File.WriteAllBytes(onnx, TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth")).OnnxModel);
        var model = ModelLoader.Load(onnx);
        Refused(TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("out.pth")), "plain.onnx", "cannot train a model of architecture 'onnx'");
    }

    [Fact]
    public void A_validation_window_outside_the_image()
    {
        using var temp = new TempFolder();
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("out.pth")) with { Validation = new Window(480, 0, 64, 64) };
        Refused(options, "--validation 480,0,64,64", "lies outside");
    }

    [Fact]
    public void Nothing_valid_to_sample()
    {
        using var temp = new TempFolder();
        // Valid pixels only in scattered 20×20 islands: no 32×32 patch fits anywhere.
        var path = TrainingFixtures.Raster(temp.File("islands.tif"), 128, 128, (x, y) => x % 40 < 20 && y % 40 < 20 ? (byte)100 : (byte)0);
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        Refused(TrainingFixtures.Options(model, path, temp.File("out.pth")), "islands.tif", "no 32×32 patch lies wholly in valid");
    }

    [Fact]
    public void A_pairs_raster_of_the_wrong_size()
    {
        using var temp = new TempFolder();
        // The crop is 512×512, so at ×4 its pair must be 128×128.
        var lr = TrainingFixtures.Raster(temp.File("lr.tif"), 100, 128, (x, y) => (byte)(1 + (x + y) % 200));
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("out.pth")) with { PairsPath = lr };
        Refused(options, "lr.tif", "is 100×128; paired with");
    }

    [Fact]
    public void An_mtf_gain_no_blur_has()
    {
        using var temp = new TempFolder();
        // A Gaussian's MTF at Nyquist lies strictly between 0 and 1.
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("out.pth")) with
        {
            Degradation = SatSR.Quality.DegradationKind.Mtf, MtfGain = 1,
        };
        Refused(options, "--mtf-gain 1", "must lie between 0 and 1");
    }

    /// <summary>The trainer's own program, as `satsr train` runs it: an option value it cannot parse is one line naming it.</summary>
    [Theory]
    [InlineData("--steps", "many", "--steps many: expected a whole number")]
    [InlineData("--lr-decay", "linear", "--lr-decay linear: expected one of none, cosine")]
    [InlineData("--degradation", "jpeg", "--degradation jpeg: expected one of area, mtf, realesrgan, mixed")]
    public async Task An_option_value_the_trainer_cannot_parse(string option, string value, string line)
    {
        using var temp = new TempFolder();
        var output = temp.File("out.pth");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])[System.IO.Path.Combine(AppContext.BaseDirectory, "SatSR.Training.dll"), TrainingFixtures.Crop,
            "--base", "realesr-general-x4v3", "-o", output, option, value]) info.ArgumentList.Add(a);
        using var trainer = System.Diagnostics.Process.Start(info)!;
        var stdout = trainer.StandardOutput.ReadToEndAsync();
        var error = await trainer.StandardError.ReadToEndAsync();
        await trainer.WaitForExitAsync();

        Assert.Equal(1, trainer.ExitCode);
        Assert.Equal($"error: {line}; satsr train --help lists the options", error.TrimEnd('\n'));
        Assert.Equal("", await stdout);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }
}
