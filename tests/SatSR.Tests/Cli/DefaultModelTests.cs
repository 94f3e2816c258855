using SatSR.Geometry;

namespace SatSR.Tests.Cli;

/// <summary>
/// SatSR's own model is the default (issue 30): `upscale` and `eval` without --model run the network shipped as
/// models/satsr-sat-x4.onnx (models/satsr-sat-x2.onnx at --scale 2), and the output says so in its metadata.
/// </summary>
public class DefaultModelTests
{
    private static string ModelOf(string path)
    {
        TestRasters.ReadAll(path, out var profile);
        var items = profile.Metadata.GetValueOrDefault("", []);
        return Assert.Single(items, i => i.StartsWith("SATSR_MODEL=", StringComparison.Ordinal))["SATSR_MODEL=".Length..];
    }

    /// <summary>
    /// On a real crop, the default output is pixel for pixel the output of the committed ONNX file given by path with
    /// --consistency and --model-weight auto (both on by default for SatSR's own models only, chosen on validation data:
    /// docs/MODELS.md), it differs from realesr-general-x4v3's, and each output's metadata names the model that made it
    /// (and the default's, the weight it measured). The crop is one tile, so the
    /// overlap (the zoo's for SRVGGNetCompact, or read off a plain graph's operators) does not enter.
    /// </summary>
    [Fact]
    public async Task Upscale_without_a_model_runs_the_shipped_satsr_sat_x4_and_the_output_names_it()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(300, 100, 64, 64), Path.Combine(dir, "in.tif"));
        string Out(string name) => Path.Combine(dir, name + ".tif");
        var file = TestFiles.Fixture("models/satsr-sat-x4.onnx");
        foreach (var (name, extra) in new (string, string[])[]
        {
            ("default", []), ("default-off", ["--no-consistency", "--model-weight", "1"]), ("file", ["--model", file, "--consistency", "--model-weight", "auto"]),
            ("file-plain", ["--model", file]),
            ("general", ["--model", "realesr-general-x4v3"]),
        })
        {
            var (exit, _, error) = await CliTests.Run(["upscale", input, Out(name), "--device", "cpu", .. extra]);
            Assert.True(exit == 0, error);
        }

        Assert.Equal("satsr-sat-x4", ModelOf(Out("default")));
        Assert.Equal("realesr-general-x4v3", ModelOf(Out("general")));
        TestRasters.ReadAll(Out("default"), out var written);
        Assert.Single(written.Metadata[""], i => i.StartsWith("SATSR_MODEL_WEIGHT=", StringComparison.Ordinal));
        TestRasters.ReadAll(Out("general"), out written);
        Assert.DoesNotContain(written.Metadata[""], i => i.StartsWith("SATSR_MODEL_WEIGHT=", StringComparison.Ordinal));
        var byDefault = TestRasters.ReadAll(Out("default"), out var profile);
        Assert.Equal((256, 256), (profile.Width, profile.Height));
        Assert.Equal(TestRasters.ReadAll(Out("file"), out _), byDefault);
        Assert.Equal(TestRasters.ReadAll(Out("file-plain"), out _), TestRasters.ReadAll(Out("default-off"), out _));
        var general = TestRasters.ReadAll(Out("general"), out _);
        Assert.True(byDefault.Zip(general).Count(p => p.First != p.Second) > byDefault.Length / 2, "the default's output is realesr-general-x4v3's");
    }

    /// <summary>
    /// Computed here: each 4×4 block mean of the default's output is its input pixel to within the rounding of the
    /// 8-bit output (0.5), wherever no output pixel of the block is clipped at 0 or 255; the uncorrected network's
    /// output (--no-consistency) is not, so the check can tell the two apart.
    /// </summary>
    [Fact]
    public async Task The_default_output_area_averages_back_to_its_input()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(300, 100, 64, 64), Path.Combine(dir, "in.tif"));
        var low = TestRasters.ReadAll(input, out _);
        double WorstBlockError(string output)
        {
            var high = TestRasters.ReadAll(output, out _);
            var worst = 0.0;
            for (var y = 0; y < 64; y++)
                for (var x = 0; x < 64; x++)
                {
                    var block = Enumerable.Range(0, 16).Select(i => high[(y * 4 + i / 4) * 256 + x * 4 + i % 4]).ToArray();
                    if (block.Any(v => v is 0 or 255)) continue;
                    worst = Math.Max(worst, Math.Abs(block.Average() - low[y * 64 + x]));
                }
            return worst;
        }
        foreach (var (name, extra) in new (string, string[])[] { ("default", []), ("off", ["--no-consistency"]) })
        {
            var (exit, _, error) = await CliTests.Run(["upscale", input, Path.Combine(dir, name + ".tif"), "--device", "cpu", .. extra]);
            Assert.True(exit == 0, error);
        }

        Assert.InRange(WorstBlockError(Path.Combine(dir, "default.tif")), 0, 0.5 + 1e-9);
        Assert.True(WorstBlockError(Path.Combine(dir, "off.tif")) > 1, "the uncorrected network already area-averages back to its input");
    }

    /// <summary>
    /// At --scale 2 the default is the native ×2 model (chosen on validation windows, tools/train/choose-x2): pixel for
    /// pixel the committed models/satsr-sat-x2.onnx with --consistency and --model-weight auto, named in the metadata, and not the ×4 model
    /// averaged to ×2 (what --model satsr-sat-x4 --scale 2 still gives).
    /// </summary>
    [Fact]
    public async Task Upscale_at_scale_2_without_a_model_runs_the_shipped_satsr_sat_x2_and_the_output_names_it()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(300, 100, 64, 64), Path.Combine(dir, "in.tif"));
        string Out(string name) => Path.Combine(dir, name + ".tif");
        foreach (var (name, extra) in new (string, string[])[]
        {
            ("default", []), ("file", ["--model", TestFiles.Fixture("models/satsr-sat-x2.onnx"), "--consistency", "--model-weight", "auto"]), ("x4", ["--model", "satsr-sat-x4"]),
        })
        {
            var (exit, _, error) = await CliTests.Run(["upscale", input, Out(name), "--device", "cpu", "--scale", "2", .. extra]);
            Assert.True(exit == 0, error);
        }

        Assert.Equal(("satsr-sat-x2", "satsr-sat-x4"), (ModelOf(Out("default")), ModelOf(Out("x4"))));
        var byDefault = TestRasters.ReadAll(Out("default"), out var profile);
        Assert.Equal((128, 128), (profile.Width, profile.Height));
        Assert.Equal(TestRasters.ReadAll(Out("file"), out _), byDefault);
        var x4 = TestRasters.ReadAll(Out("x4"), out _);
        Assert.True(byDefault.Zip(x4).Count(p => p.First != p.Second) > byDefault.Length / 10, "the default at ×2 is the ×4 model averaged");
    }

    [Fact]
    public async Task Eval_at_scale_2_without_a_model_scores_satsr_sat_x2()
    {
        var dir = TestFiles.TempDir();
        var json = Path.Combine(dir, "eval.json");
        var (exit, _, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), "--region", "320,64,128,128", "--scale", "2",
            "--device", "cpu", "--json", json);
        Assert.True(exit == 0, error);
        Assert.Contains("\"name\": \"satsr-sat-x2\"", File.ReadAllText(json));
        Assert.Contains("\"consistencyCorrected\": true", File.ReadAllText(json));
    }

    [Fact]
    public async Task Consistency_and_no_consistency_together_are_refused_in_one_line()
    {
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "out.tif");
        var (exit, _, error) = await CliTests.Run("upscale", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), output, "--consistency", "--no-consistency");
        Assert.NotEqual(0, exit);
        Assert.Contains("--consistency and --no-consistency", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Eval_without_a_model_scores_satsr_sat_x4()
    {
        var dir = TestFiles.TempDir();
        var json = Path.Combine(dir, "eval.json");
        var (exit, text, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), "--region", "320,64,128,128", "--device", "cpu", "--json", json);
        Assert.True(exit == 0, error);
        Assert.Matches(@"satsr-sat-x4 \+ consistency\s*│\s*\d\d\.\d\d\s*│\s*0\.\d{4}", text);
        Assert.Contains("\"name\": \"satsr-sat-x4\"", File.ReadAllText(json));
        Assert.Contains("\"consistencyCorrected\": true", File.ReadAllText(json));   // as upscale runs it by default
    }

    /// <summary>The demo (README's first command) runs the default on the bundled sample and says which model it used, and the weight it measured.</summary>
    [Fact]
    public async Task Demo_runs_satsr_sat_x4_and_says_so()
    {
        var root = TestFiles.TempDir();
        Directory.CreateDirectory(Path.Combine(root, "samples"));
        File.Copy(TestFiles.Fixture("cbers2b_pan_edge_512.tif"), Path.Combine(root, "samples", "cbers2b_pan_edge_512.tif"));
        var (exit, text, error) = await CliTests.Run("demo", "--root", root);
        Assert.True(exit == 0, error);
        Assert.Contains("2048×2048, ×4 with satsr-sat-x4 (network weight ", text);
        var output = Path.Combine(root, "out", "demo", "cbers2b_pan_edge_x4.tif");
        Assert.Equal("satsr-sat-x4", ModelOf(output));
        // The weight the demo prints is the one it measured and wrote.
        TestRasters.ReadAll(output, out var profile);
        var written = double.Parse(Assert.Single(profile.Metadata[""], i => i.StartsWith("SATSR_MODEL_WEIGHT=", StringComparison.Ordinal))["SATSR_MODEL_WEIGHT=".Length..],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"(network weight {written.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} against bicubic)", text);
    }
}
