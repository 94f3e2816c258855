using System.Diagnostics;
using System.Text.Json;
using SatSR.Tests.Viewer;

namespace SatSR.Tests.Remote;

/// <summary>
/// Remote inputs end to end: the CLI as its own process (GDAL's caches and settings fresh each run) reads from a
/// <see cref="RangeServer"/> on the loopback interface, through /vsicurl/ (an http URL), /vsis3/ and STAC items.
/// </summary>
public class RemoteInputTests
{
    private static readonly string Network = TestFiles.Fixture(Path.Combine("models", "realesr-general-x4v3.onnx"));

    /// <summary>
    /// A crop of the 3-band CBERS fixture as GDAL's COG driver writes it (python3-gdal: an independent writer), with
    /// <paramref name="block"/>² tiles, so a reader of its first rows needs only the first of its bytes.
    /// </summary>
    private static byte[] Cog(string dir, int width, int height, int block = 128, string driver = "COG")
    {
        var path = Path.Combine(dir, $"source-{width}x{height}-{driver}.tif");
        var options = driver == "COG" ? $"['BLOCKSIZE={block}', 'COMPRESS=DEFLATE']" : $"['TILED=YES', 'BLOCKXSIZE={block}', 'BLOCKYSIZE={block}', 'COMPRESS=DEFLATE']";
        Python($"from osgeo import gdal; gdal.UseExceptions(); gdal.Translate('{path}', '{TestFiles.Fixture("cbers_rgb342_20m.tif")}', " +
               $"format='{driver}', srcWin=[0, 0, {width}, {height}], creationOptions={options})");
        return File.ReadAllBytes(path);
    }

    private static void Python(string code)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        using var process = Process.Start(new ProcessStartInfo(python, ["-c", code]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3-gdal failed (apt-get install python3-gdal, or run tools/test): {error}");
    }

    /// <summary>satsr upscale with realesr-general-x4v3 (a fixture), or the model <paramref name="more"/> names.</summary>
    private static Task<(int ExitCode, string Output)> Upscale(string input, string output, params string[] more) =>
        SatsrProcess.Run(["upscale", input, output, "--device", "cpu", .. more.Contains("--model") ? more : [.. more, "--model", Network]]);

    /// <summary>The satsr run of the same bytes from a local file: what every remote run must equal.</summary>
    private static async Task<double[]> LocalRun(string dir, byte[] bytes, params string[] more)
    {
        var input = Path.Combine(dir, "local.tif");
        File.WriteAllBytes(input, bytes);
        var output = Path.Combine(dir, "local-out.tif");
        var (exit, text) = await Upscale(input, output, more);
        Assert.True(exit == 0, text);
        return TestRasters.ReadAll(output, out _);
    }

    private static string[] ErrorLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_remote_cog_upscaled_from_its_http_url_equals_the_local_files_output_bit_for_bit()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 96, 80, block: 32);
        using var server = new RangeServer();
        var url = server.Serve("/scenes/scene.tif", bytes);

        var output = Path.Combine(dir, "remote-out.tif");
        var (exit, text) = await Upscale(url.ToString(), output, "--tile", "48");
        Assert.True(exit == 0, text);

        Assert.Equal(await LocalRun(dir, bytes, "--tile", "48"), TestRasters.ReadAll(output, out var profile));
        Assert.Equal((384, 320), (profile.Width, profile.Height));
    }

    /// <summary>
    /// <c>satsr eval</c> takes its reference by URL as <c>upscale</c> takes its input: the same figures as for the local
    /// file, from a fraction of its bytes when the region is a corner.
    /// </summary>
    [Fact]
    public async Task Eval_of_a_remote_reference_by_its_http_url_gives_the_local_files_figures()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 512, 512, block: 64);
        var local = Path.Combine(dir, "local.tif");
        File.WriteAllBytes(local, bytes);
        using var server = new RangeServer();
        var url = server.Serve("/reference.tif", bytes);
        var model = TestModels.WritePixelRepeatX4(dir);

        async Task<JsonElement> Eval(string reference, string json)
        {
            var (exit, text) = await SatsrProcess.Run(["eval", reference, "--model", model, "--region", "0,0,128,128", "--json", json, "--device", "cpu"]);
            Assert.True(exit == 0, text);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            return document.RootElement.Clone();
        }
        var remote = await Eval(url.ToString(), Path.Combine(dir, "remote.json"));
        var served = server.BytesServed;
        var expected = await Eval(local, Path.Combine(dir, "local.json"));

        Assert.Equal(expected.GetProperty("model").GetProperty("psnr").GetDouble(), remote.GetProperty("model").GetProperty("psnr").GetDouble());
        Assert.Equal(expected.GetProperty("bicubic").GetProperty("ssim").GetDouble(), remote.GetProperty("bicubic").GetProperty("ssim").GetDouble());
        Assert.True(served < bytes.Length / 3, $"{served} of {bytes.Length} bytes served");
    }

    /// <summary><c>satsr compare</c> takes BEFORE and AFTER by URL: the page shows what it shows for the local files.</summary>
    [Fact]
    public async Task Compare_of_remote_rasters_by_their_http_urls_shows_the_local_files_pixels()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        using var server = new RangeServer();
        var beforeUrl = server.Serve("/before.tif", File.ReadAllBytes(before));
        var afterUrl = server.Serve("/after.tif", File.ReadAllBytes(after));

        var page = Path.Combine(dir, "remote.html");
        var (exit, text) = await SatsrProcess.Run(["compare", beforeUrl.ToString(), afterUrl.ToString(), "--html", page]);

        Assert.True(exit == 0, text);
        var (b, a) = ComparePairs.Images(page);
        Assert.Equal((64, 48), (a.Width, a.Height));
        Assert.Equal(255 - ComparePairs.Before(2, 1), a[8, 4, 0]);
        Assert.Equal(ComparePairs.Before(2, 1), b[8, 4, 0]);
    }

    [Fact]
    public async Task Info_on_a_remote_cog_reads_its_header_not_the_whole_file()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 875, 1009);
        using var server = new RangeServer();
        var url = server.Serve("/scene.tif", bytes);

        var (exit, text) = await SatsrProcess.Run(["info", url.ToString()]);

        Assert.True(exit == 0, text);
        Assert.Contains("875 × 1009 pixels, 3 band(s), Byte", text);
        Assert.True(server.BytesServed < bytes.Length / 10, $"{server.BytesServed} of {bytes.Length} bytes served");
    }

    [Fact]
    public async Task A_shard_of_the_first_rows_downloads_a_fraction_of_the_remote_file()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 256, 1009, block: 64);
        using var server = new RangeServer();
        var url = server.Serve("/scene.tif", bytes);

        var (exit, text) = await Upscale(url.ToString(), Path.Combine(dir, "out.tif"), "--shard", "0/8", "--tile", "64", "--model", TestModels.WritePixelRepeatX4(dir));

        Assert.True(exit == 0, text);
        Assert.Single(Directory.GetFiles(dir, "out.part-*"));
        // Shard 0 of 8 covers the first 128 of 1009 input rows, plus the overlap below them.
        Assert.True(server.BytesServed < bytes.Length / 3, $"{server.BytesServed} of {bytes.Length} bytes served");
    }

    [Fact]
    public async Task A_stac_item_on_the_server_reads_the_asset_named_by_its_relative_href()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 64, 48, block: 32);
        using var server = new RangeServer();
        server.Serve("/b04/B04.tif", Cog(dir, 40, 40, block: 32));
        server.Serve("/items/visual.tif", bytes);
        var item = server.Serve("/items/item.json", JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "Feature",
            stac_version = "1.0.0",
            id = "scene",
            assets = new Dictionary<string, object>
            {
                ["thumbnail"] = new { href = "thumb.png", type = "image/png", roles = new[] { "thumbnail" } },
                ["visual"] = new { href = "./visual.tif", type = "image/tiff; application=geotiff; profile=cloud-optimized" },
                ["B04"] = new { href = "../b04/B04.tif", type = "image/tiff; application=geotiff" },
                ["metadata"] = new { href = "meta.xml", type = "application/xml" },
            },
        }));

        var output = Path.Combine(dir, "out.tif");
        var (exit, text) = await Upscale(item.ToString(), output, "--asset", "visual");
        Assert.True(exit == 0, text);
        Assert.Equal(await LocalRun(dir, bytes), TestRasters.ReadAll(output, out _));

        var (other, info) = await SatsrProcess.Run(["info", item.ToString(), "--asset", "B04"]);
        Assert.True(other == 0, info);
        Assert.Contains("40 × 40 pixels", info);

        // Without --asset: one line that names the item and lists its raster assets, not the thumbnail or the XML.
        var (refused, error) = await Upscale(item.ToString(), Path.Combine(dir, "none.tif"));
        Assert.NotEqual(0, refused);
        var line = Assert.Single(ErrorLines(error));
        Assert.Contains(item.ToString(), line);
        Assert.Contains("--asset", line);
        Assert.Contains("visual, B04)", line);
        Assert.DoesNotContain("thumbnail", line);
        Assert.False(File.Exists(Path.Combine(dir, "none.tif")));
    }

    [Fact]
    public async Task A_local_stac_item_resolves_a_relative_href_beside_it()
    {
        var dir = TestFiles.TempDir();
        var scenes = Directory.CreateDirectory(Path.Combine(dir, "scenes")).FullName;
        File.WriteAllBytes(Path.Combine(scenes, "red.tif"), Cog(dir, 33, 21, block: 32));
        var item = Path.Combine(dir, "item.json");
        File.WriteAllText(item, """{"type": "Feature", "assets": {"red": {"href": "scenes/red.tif"}, "doc": {"href": "readme.html"}}}""");

        var (exit, text) = await SatsrProcess.Run(["info", item, "--asset", "red"]);
        Assert.True(exit == 0, text);
        Assert.Contains("33 × 21 pixels", text);

        var (missing, error) = await SatsrProcess.Run(["info", item, "--asset", "blue"]);
        Assert.NotEqual(0, missing);
        var line = Assert.Single(ErrorLines(error));
        Assert.Contains("no asset 'blue'", line);
        Assert.Contains("raster assets: red)", line);
    }

    [Fact]
    public async Task A_vsis3_path_reads_from_the_s3_endpoint_the_environment_names()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 64, 48, block: 32);
        using var server = new RangeServer();
        server.Serve("/bucket/scenes/scene.tif", bytes);

        var output = Path.Combine(dir, "out.tif");
        var (exit, text) = await SatsrProcess.Run(["upscale", "/vsis3/bucket/scenes/scene.tif", output, "--model", Network, "--device", "cpu"],
            environment: new Dictionary<string, string?>
            {
                ["AWS_S3_ENDPOINT"] = $"127.0.0.1:{server.Port}",
                ["AWS_HTTPS"] = "NO",
                ["AWS_VIRTUAL_HOSTING"] = "FALSE",
                ["AWS_NO_SIGN_REQUEST"] = "YES",
            });

        Assert.True(exit == 0, text);
        Assert.Equal(await LocalRun(dir, bytes), TestRasters.ReadAll(output, out _));
        Assert.Contains("GET /bucket/scenes/scene.tif", server.Log);
    }

    [Fact]
    public async Task Opening_a_remote_file_lists_no_folder_and_probes_no_sidecars_unless_the_user_says_so()
    {
        var dir = TestFiles.TempDir();
        using var server = new RangeServer();
        // A plain tiled GeoTIFF, no internal overviews: GDAL would look for scene.tif.ovr, .aux.xml, .tfw… beside it.
        var url = server.Serve("/data/scene.tif", Cog(dir, 64, 64, driver: "GTiff"));

        var (exit, text) = await SatsrProcess.Run(["info", url.ToString()]);
        Assert.True(exit == 0, text);
        Assert.All(server.Log, l => Assert.EndsWith(" /data/scene.tif", l));

        // The user's own setting (here in the environment) wins over SatSR's default.
        var before = server.Log.Count;
        var (again, output) = await SatsrProcess.Run(["info", url.ToString()],
            environment: new Dictionary<string, string?> { ["GDAL_DISABLE_READDIR_ON_OPEN"] = "FALSE" });
        Assert.True(again == 0, output);
        Assert.Contains(server.Log.Skip(before), l => !l.EndsWith(" /data/scene.tif", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_busy_server_is_asked_again_unless_the_user_turned_retries_off()
    {
        var dir = TestFiles.TempDir();
        using var server = new RangeServer();
        var url = server.Serve("/scene.tif", Cog(dir, 64, 64));

        server.FailNext(1, 503);
        var (exit, text) = await SatsrProcess.Run(["info", url.ToString()]);
        Assert.True(exit == 0, text);
        Assert.Contains("64 × 64 pixels", text);

        server.FailNext(1, 503);
        var (refused, error) = await SatsrProcess.Run(["info", url.ToString(), "--config", "GDAL_HTTP_MAX_RETRY=0"]);
        Assert.NotEqual(0, refused);
        var line = Assert.Single(ErrorLines(error));
        Assert.Contains(url.ToString(), line);
    }

    /// <summary>
    /// The server drops the connection part way through the file: one line naming the URL, no output, the rows written
    /// before kept with their journal; once the server answers again, --resume finishes the job with the pixels of an
    /// uninterrupted local run.
    /// </summary>
    [Fact]
    public async Task A_connection_dropped_mid_read_fails_in_one_line_and_resume_completes_the_output()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 32, 1008, block: 32);
        using var server = new RangeServer();
        var url = server.Serve("/scene.tif", bytes);
        var output = Path.Combine(dir, "out.tif");
        string[] options = DropOptions(dir);

        server.DropAfter(bytes.Length * 2 / 3);
        var (exit, text) = await Upscale(url.ToString(), output, options);

        Assert.NotEqual(0, exit);
        var line = Assert.Single(ErrorLines(text));
        Assert.Contains(url.ToString(), line);
        Assert.False(File.Exists(output));
        Assert.True(RowsDone(output + ".partial.journal", text) > 0, $"no rows recorded before the drop: {text}");

        server.Recover();
        var (resumed, log) = await Upscale(url.ToString(), output, [.. options, "--resume"]);
        Assert.True(resumed == 0, log);
        Assert.Equal(await LocalRun(dir, bytes, options), TestRasters.ReadAll(output, out _));
        Assert.False(File.Exists(output + ".partial.journal"));
    }

    /// <summary>
    /// The file on the server is replaced between the interrupted run and the resume, keeping its size and date: its new
    /// ETag alone makes it another input, so the resume is refused (nothing mixed, nothing written at the output path).
    /// </summary>
    [Fact]
    public async Task A_remote_file_with_a_new_etag_is_not_resumed()
    {
        var dir = TestFiles.TempDir();
        var bytes = Cog(dir, 32, 1008, block: 32);
        using var server = new RangeServer();
        var url = server.Serve("/scene.tif", bytes, etag: "\"first\"");
        var output = Path.Combine(dir, "out.tif");
        string[] options = DropOptions(dir);

        server.DropAfter(bytes.Length * 2 / 3);
        var (exit, text) = await Upscale(url.ToString(), output, options);
        Assert.NotEqual(0, exit);
        Assert.True(RowsDone(output + ".partial.journal", text) > 0, text);

        server.Recover();
        server.Serve("/scene.tif", bytes, etag: "\"second\"");
        var (resumed, error) = await Upscale(url.ToString(), output, [.. options, "--resume"]);

        Assert.NotEqual(0, resumed);
        var line = Assert.Single(ErrorLines(error));
        Assert.Contains("cannot resume", line);
        Assert.Contains("another input", line);
        Assert.False(File.Exists(output));
        Assert.True(File.Exists(output + ".partial"));
    }

    /// <summary>
    /// A run whose journal records every 16 input rows (64-row output blocks) and that holds few tiles in flight (one
    /// worker, queues of one), so when the drop comes (past row 400 of the input's 1008) the first rows are recorded
    /// whatever the timing.
    /// </summary>
    private static string[] DropOptions(string dir) =>
        ["--tile", "16", "--threads", "1", "--queue-depth", "1", "--co", "BLOCKXSIZE=64", "--co", "BLOCKYSIZE=64", "--model", TestModels.WritePixelRepeatX4(dir)];

    private static int RowsDone(string journal, string run)
    {
        Assert.True(File.Exists(journal), $"no journal at {journal}: {run}");
        using var doc = JsonDocument.Parse(File.ReadAllText(journal));
        return doc.RootElement.GetProperty("RowsDone").GetInt32();
    }
}
