using SatSR.Geometry;

namespace SatSR.Tests.Cli;

/// <summary>
/// SatSR's own model is the default (issue 30): `upscale` and `eval` without --model run the network shipped as
/// models/satsr-sat-x4.onnx, and the output says so in its metadata.
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
    /// On a real crop, the default output is pixel for pixel the output of the committed ONNX file given by path, it
    /// differs from realesr-general-x4v3's, and each output's metadata names the model that made it. The crop is one
    /// tile, so the overlap (the zoo's for SRVGGNetCompact, or read off a plain graph's operators) does not enter.
    /// </summary>
    [Fact]
    public async Task Upscale_without_a_model_runs_the_shipped_satsr_sat_x4_and_the_output_names_it()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(300, 100, 64, 64), Path.Combine(dir, "in.tif"));
        string Out(string name) => Path.Combine(dir, name + ".tif");
        foreach (var (name, model) in new[] { ("default", null), ("file", TestFiles.Fixture("models/satsr-sat-x4.onnx")), ("general", "realesr-general-x4v3") })
        {
            string[] args = model is null ? ["upscale", input, Out(name), "--device", "cpu"] : ["upscale", input, Out(name), "--device", "cpu", "--model", model];
            var (exit, _, error) = await CliTests.Run(args);
            Assert.True(exit == 0, error);
        }

        Assert.Equal("satsr-sat-x4", ModelOf(Out("default")));
        Assert.Equal("realesr-general-x4v3", ModelOf(Out("general")));
        var byDefault = TestRasters.ReadAll(Out("default"), out var profile);
        Assert.Equal((256, 256), (profile.Width, profile.Height));
        Assert.Equal(TestRasters.ReadAll(Out("file"), out _), byDefault);
        var general = TestRasters.ReadAll(Out("general"), out _);
        Assert.True(byDefault.Zip(general).Count(p => p.First != p.Second) > byDefault.Length / 2, "the default's output is realesr-general-x4v3's");
    }

    [Fact]
    public async Task Eval_without_a_model_scores_satsr_sat_x4()
    {
        var dir = TestFiles.TempDir();
        var json = Path.Combine(dir, "eval.json");
        var (exit, text, error) = await CliTests.Run("eval", TestFiles.Fixture("cbers2b_pan_edge_512.tif"), "--region", "320,64,128,128", "--device", "cpu", "--json", json);
        Assert.True(exit == 0, error);
        Assert.Matches(@"satsr-sat-x4\s*│\s*\d\d\.\d\d\s*│\s*0\.\d{4}", text);
        Assert.Contains("\"name\": \"satsr-sat-x4\"", File.ReadAllText(json));
    }

    /// <summary>The demo (README's first command) runs the default on the bundled sample and says which model it used.</summary>
    [Fact]
    public async Task Demo_runs_satsr_sat_x4_and_says_so()
    {
        var root = TestFiles.TempDir();
        Directory.CreateDirectory(Path.Combine(root, "samples"));
        File.Copy(TestFiles.Fixture("cbers2b_pan_edge_512.tif"), Path.Combine(root, "samples", "cbers2b_pan_edge_512.tif"));
        var (exit, text, error) = await CliTests.Run("demo", "--root", root);
        Assert.True(exit == 0, error);
        Assert.Contains("2048×2048, ×4 with satsr-sat-x4", text);
        Assert.Equal("satsr-sat-x4", ModelOf(Path.Combine(root, "out", "demo", "cbers2b_pan_edge_x4.tif")));
    }
}
