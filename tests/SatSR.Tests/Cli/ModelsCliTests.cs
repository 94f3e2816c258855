using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models.Zoo;
using SatSR.Tests.Models;

namespace SatSR.Tests.Cli;

/// <summary><c>satsr models list|info|convert</c> on the committed reference files.</summary>
public class ModelsCliTests
{
    private static string ModelFixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", name);

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public async Task List_names_the_built_in_and_the_fetched_models()
    {
        var (exit, text, error) = await Run("models", "list");
        Assert.Equal((0, ""), (exit, error));
        Assert.Matches(@"realesr-general-x4v3\s+SRVGGNetCompact\s+×4\s+1,213,296\s+built in", text);
        Assert.Matches(@"realesrgan-x4plus\s+RRDBNet\s+×4\s+16,697,987\s+(yes|no)", text);
    }

    /// <summary>The same network in its three forms, and two architecture variants: each says what it is.</summary>
    [Theory]
    [InlineData("pth/realesr-general-x4v3.pth", "SRVGGNetCompact", "×4", "1,213,296", "num_feat=64, num_conv=32, upscale=4")]
    [InlineData("realesr-general-x4v3.param", "ncnn", "×4", "1,213,296", null)]
    [InlineData("realesr-general-x4v3.onnx", "onnx", "×4", "1,213,296", null)]
    [InlineData("pth/rrdbnet_x2.pth", "RRDBNet", "×2", "101,603", "scale=2, num_feat=16, num_block=2, num_grow_ch=8")]
    [InlineData("pth/srvgg_x3.pth", "SRVGGNetCompact", "×3", "1,267", "num_feat=4, num_conv=1, upscale=3")]
    public async Task Info_prints_the_architecture_scale_and_hyper_parameters(string file, string arch, string scale, string parameters, string? hyper)
    {
        var (exit, text, error) = await Run("models", "info", ModelFixture(file));
        Assert.Equal((0, ""), (exit, error));
        Assert.Matches($@"architecture\s+{arch}\b", text);
        Assert.Matches($@"scale\s+{scale}\b", text);
        Assert.Matches($@"parameters\s+{parameters}\b", text);
        if (hyper is not null) Assert.Contains(hyper, text);
    }

    [Fact]
    public async Task Convert_writes_the_graph_satsr_runs_and_any_runtime_loads_it()
    {
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "x2.onnx");
        var source = ModelFixture("pth/rrdbnet_x2.pth");
        var (exit, text, error) = await Run("models", "convert", source, output);
        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("RRDBNet, ×2", text);

        // A plain InferenceSession on the written file computes what SatSR's own graph for the checkpoint computes.
        var input = new DenseTensor<float>([1, 3, 8, 12]);
        for (var i = 0; i < input.Length; i++) input.Buffer.Span[i] = (i * 37 % 101) / 100f;
        var written = OnnxRunner.Run(File.ReadAllBytes(output), input);
        var direct = OnnxRunner.Run(new ModelZoo(dir).Resolve(source).OnnxModel, input);
        Assert.Equal([1, 3, 16, 24], written.Dimensions.ToArray());
        Assert.Equal(direct.ToArray(), written.ToArray());

        // The .onnx it wrote is itself a model SatSR accepts, and it is not replaced without --overwrite.
        var (again, _, refused) = await Run("models", "convert", output, output);
        Assert.NotEqual(0, again);
        Assert.Contains("already exists", refused);
        Assert.Equal(["x2.onnx"], Directory.GetFiles(dir).Select(Path.GetFileName));
        var (infoExit, info, _) = await Run("models", "info", output);
        Assert.Equal(0, infoExit);
        Assert.Matches(@"scale\s+×2\b", info);
    }

    [Fact]
    public async Task Info_on_a_file_that_is_no_model_is_one_line_naming_it()
    {
        var dir = TestFiles.TempDir();
        var bogus = Path.Combine(dir, "notes.onnx");
        File.WriteAllText(bogus, "not a model");
        var (exit, _, error) = await Run("models", "info", bogus);
        Assert.NotEqual(0, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error:", lines[0]);
        Assert.Contains("notes.onnx", lines[0]);
    }
}
