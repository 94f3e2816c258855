using System.Text.Json;

namespace SatSR.Tests.Cli;

/// <summary><c>satsr eval</c> end to end: the table on the terminal and the JSON file.</summary>
public class EvalCliTests
{
    [Fact]
    public async Task Eval_prints_the_three_methods_and_writes_the_json_schema()
    {
        var dir = TestFiles.TempDir();
        var json = Path.Combine(dir, "eval.json");
        var (exit, text, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), "--region", "320,64,128,128",
            "--model", "realesr-general-x4v3", "--device", "cpu", "--json", json);
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        // Table rows: the method's name, then PSNR and SSIM (the baselines' figures are EvaluationTests').
        Assert.Matches(@"realesr-general-x4v3\s*│\s*\d\d\.\d\d\s*│\s*0\.\d{4}", text);
        Assert.Matches(@"bicubic\s*│\s*35\.55\s*│\s*0\.8239", text);
        Assert.Matches(@"lanczos\s*│\s*35\.67\s*│\s*0\.8263", text);
        Assert.Contains("region 320,64,128,128: 16,384 valid pixels compared, peak 255", text);
        Assert.Matches(@"consistency PSNR of the model output \d+\.\d\d dB", text);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal("realesr-general-x4v3", root.GetProperty("model").GetProperty("name").GetString());
        Assert.InRange(root.GetProperty("model").GetProperty("ssim").GetDouble(), 0.5, 1);
        Assert.Equal(35.5465, root.GetProperty("bicubic").GetProperty("psnr").GetDouble(), 3);
        Assert.Equal(0.82630, root.GetProperty("lanczos").GetProperty("ssim").GetDouble(), 4);
        var band = Assert.Single(root.GetProperty("bands").EnumerateArray());
        Assert.Equal(1, band.GetProperty("band").GetInt32());
        Assert.Equal(root.GetProperty("model").GetProperty("psnr").GetDouble(), band.GetProperty("model").GetProperty("psnr").GetDouble());
        Assert.Equal([320, 64, 128, 128], root.GetProperty("region").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(4, root.GetProperty("scale").GetInt32());
        Assert.Equal([json], Directory.GetFiles(dir));   // no .partial left beside it
    }

    [Theory]
    [InlineData("--region", "1,2,3", "--region 1,2,3")]
    [InlineData("--region", "0,0,600,600", "lies outside")]
    public async Task Bad_eval_options_are_one_line_and_write_nothing(string option, string value, string mention)
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), option, value, "--json", Path.Combine(dir, "eval.json"));
        Assert.NotEqual(0, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(mention, line);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    /// <summary>
    /// A JSON file that cannot be written is one line naming it, a failure exit, and nothing left behind: a full disk (the
    /// partial file a link to /dev/full, where every write fails with ENOSPC; the link goes with the partial file) and a
    /// folder that does not exist.
    /// </summary>
    [Theory]
    [InlineData("full")]
    [InlineData("missing")]
    public async Task A_json_file_that_cannot_be_written_is_one_line_naming_it_and_leaves_nothing(string failure)
    {
        var dir = TestFiles.TempDir();
        var json = failure == "full" ? Path.Combine(dir, "eval.json") : Path.Combine(dir, "missing", "eval.json");
        if (failure == "full") File.CreateSymbolicLink(json + ".partial", "/dev/full");

        var (exit, _, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), "--region", "320,64,64,64",
            "--model", "realesr-general-x4v3", "--device", "cpu", "--json", json);

        Assert.Equal(1, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: --json {json}: cannot write it (", line);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
