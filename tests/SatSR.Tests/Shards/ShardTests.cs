using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Raster;
using SatSR.Tests.Models;
using SatSR.Tiling;

namespace SatSR.Tests.Shards;

/// <summary>
/// A job split into N shards, each run as its own CLI process (in parallel), and merged equals one unsplit run, pixel
/// for pixel, with the same georeference and overviews; merge refuses parts that are missing, incomplete or foreign.
/// </summary>
public class ShardTests
{
    // 16-pixel blocks and tiles so a small crop has enough block rows for 7 shards and tile rows to share.
    private static readonly string[] Common = ["--tile", "16", "--overlap", "8", "--co", "BLOCKXSIZE=16", "--co", "BLOCKYSIZE=16", "--device", "cpu", "--overviews", "2"];

    /// <summary>48×48 of the Landsat 5 NIR band (Byte, nodata 255) with its top-left corner made nodata, as at a scene edge.</summary>
    internal static string Input(string dir)
    {
        var path = TestRasters.Crop("landsat5_b4_nodata255.tif", new Window(20, 20, 48, 48), Path.Combine(dir, "in.tif"));
        TestRasters.Edit(path, (_, x, y, v) => x + y < 20 ? 255 : v);
        return path;
    }

    internal static UpscaleOptions Reference(string input, string output, double? outScale = null, OutputFormat format = OutputFormat.GTiff) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = TestModels.SatX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
        TileSize = 16,
        Overlap = 8,
        CreationOptions = format == OutputFormat.Cog
            ? new Dictionary<string, string> { ["BLOCKSIZE"] = "128" }
            : new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
        Format = format,
        Overviews = [2],
        OutScale = outScale,
    };

    internal static string[] UpscaleArgs(string input, string output, double? outScale) =>
        ["upscale", input, output, .. Common, .. outScale is { } f ? ["--outscale", f.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()];

    /// <summary>All N shards at once, each its own process; every one must succeed. Their outputs, in shard order.</summary>
    internal static async Task<string[]> RunShards(string[] upscale, int count, params string[] extra)
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, count).Select(i => SatsrProcess.Run([.. upscale, "--shard", $"{i}/{count}", .. extra])));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Output));
        return [.. runs.Select(r => r.Output)];
    }

    /// <summary>The tiles a run inferred, as its last line says ("… 12 tiles on Cpu …").</summary>
    internal static int TilesInferred(string output) =>
        int.Parse(Regex.Match(output, @"(\d+) tiles on ").Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Full resolution and the first overview of <paramref name="path"/>, with its profile.</summary>
    internal static (double[] Pixels, double[] Overview, RasterProfile Profile) Read(string path)
    {
        var pixels = TestRasters.ReadAll(path, out var profile);
        using var overview = RasterDataset.OpenOverview(path, 0);
        var o = new double[overview.Profile.Width * overview.Profile.Height * overview.Profile.BandCount];
        overview.Read<double>(new Window(0, 0, overview.Profile.Width, overview.Profile.Height), Enumerable.Range(1, overview.Profile.BandCount).ToArray(), o);
        return (pixels, o, profile);
    }

    internal static void AssertSameOutput(string expected, string actual)
    {
        var (p, o, profile) = Read(expected);
        var (q, r, other) = Read(actual);
        Assert.Equal((profile.Width, profile.Height, profile.DataType), (other.Width, other.Height, other.DataType));
        Assert.Equal(profile.Transform, other.Transform);
        Assert.Equal(profile.Projection, other.Projection);
        Assert.Equal(profile.Bands, other.Bands);
        Assert.Equal(profile.BlockWidth, other.BlockWidth);
        Assert.Equal(p, q);
        Assert.Equal(o, r);
        Assert.False(other.Metadata.ContainsKey(ShardPart.Domain), "the merged file carries the parts' shard metadata");
    }

    /// <summary>Every file in <paramref name="dir"/> with the SHA-256 of its bytes; a lock file by name alone (a held one cannot be read).</summary>
    private static SortedDictionary<string, string> Snapshot(string dir) =>
        new(Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), f => f.EndsWith(".lock", StringComparison.Ordinal) ? "" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    [Theory]
    [InlineData(1, null)]
    [InlineData(3, null)]
    [InlineData(7, null)]
    [InlineData(1, 2.5)]
    [InlineData(3, 2.5)]
    [InlineData(7, 2.5)]
    public async Task Shards_run_as_processes_and_merged_equal_one_run(int count, double? outScale)
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"), outScale)).OutputPath;
        Assert.Contains(255.0, TestRasters.ReadAll(reference, out _));   // the nodata corner is there to be kept
        var output = Path.Combine(dir, "out.tif");

        var runs = await RunShards(UpscaleArgs(input, output, outScale), count);
        Assert.False(File.Exists(output));
        var (merged, text) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, text);

        AssertSameOutput(reference, output);
        var parts = Enumerable.Range(0, count).Select(i => $"out.part-{i:00}-of-{count:00}.tif");
        Assert.Equal(new[] { "in.tif", "out.tif", "reference.tif" }.Concat(parts).Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        if (outScale is null)
        {
            // The tiles the processes inferred are the halo arithmetic's (no read window here is all nodata, so none is skipped).
            var layout = ShardLayout.For(TilePlan.Create(48, 48, 16, 8), 4, BlendMode.Feather, 16);
            Assert.Equal(Enumerable.Range(0, count).Sum(i => layout.Tiles(new Shard(i, count))), runs.Sum(TilesInferred));
        }
    }

    /// <summary>
    /// Hard-cropped: a 48×96 crop in tiles of 12 read with 8 overlap, 4 tiles in each of 8 tile rows; at ×4 a tile row is
    /// 48 output rows, three 16-row blocks, so every tile-core edge is a block edge and each of N − 1 boundaries can go on
    /// one: the shards infer every tile once (the tiles they report add up to one run's) and merged equal that run.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Hardcrop_shards_infer_no_tile_twice_and_merged_equal_one_run(int count)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("landsat5_b4_nodata255.tif", new Window(20, 2, 48, 96), Path.Combine(dir, "in.tif"));
        TestRasters.Edit(input, (_, x, y, v) => x + y < 20 ? 255 : v);
        var one = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif")) with { TileSize = 12, Blend = BlendMode.HardCrop });
        Assert.Equal((32, 0), (one.TilesInferred, one.TilesSkipped));
        var output = Path.Combine(dir, "out.tif");

        var runs = await RunShards(["upscale", input, output, "--tile", "12", .. Common.Skip(2), "--blend", "hardcrop"], count);
        Assert.Equal(32, runs.Sum(TilesInferred));
        var (merged, text) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, text);
        AssertSameOutput(one.OutputPath, output);
    }

    [Fact]
    public async Task Cog_shards_write_GeoTIFF_parts_and_merge_writes_the_COG()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"), format: OutputFormat.Cog)).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        // 192 output rows in COG's 128-row blocks: two block rows, so two shards.
        await RunShards(["upscale", input, output, "--tile", "16", "--overlap", "8", "--co", "BLOCKSIZE=128", "--device", "cpu", "--overviews", "2", "--format", "cog"], 2);
        var (merged, text) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, text);
        AssertSameOutput(reference, output);
        // A COG begins with GDAL's structural metadata block right after the TIFF header (GDAL's COG layout).
        var head = Encoding.ASCII.GetString(File.ReadAllBytes(output).AsSpan(0, 200));
        Assert.Contains("GDAL_STRUCTURAL_METADATA_SIZE", head);
        Assert.Contains("LAYOUT=IFDS_BEFORE_DATA", head);
        Assert.DoesNotContain("GDAL_STRUCTURAL_METADATA", Encoding.ASCII.GetString(File.ReadAllBytes(Path.Combine(dir, "out.part-00-of-02.tif")).AsSpan(0, 200)));
    }

    [Fact]
    public async Task Shards_of_a_geotiff_with_an_option_only_a_copy_applies_merge_to_that_copy()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif")) with
        {
            CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16", ["ZLEVEL"] = "1" },
        }).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        await RunShards([.. UpscaleArgs(input, output, null), "--co", "ZLEVEL=1"], 3);
        var (merged, text) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, text);
        AssertSameOutput(reference, output);
        // The same pixels copied with the same options: merge made the copy at ZLEVEL 1, not a file at GDAL's default level.
        Assert.Equal(new FileInfo(reference).Length, new FileInfo(output).Length);
    }

    /// <summary>
    /// Shard 1 (rows 64–128) killed before it wrote anything (journal begun; partial part made) or after its first
    /// record, then rerun as the scripts of `satsr plan` rerun a requeued task (--resume --overwrite): the merged output
    /// is the one run's.
    /// </summary>
    [Theory]
    [InlineData("begin:1")]
    [InlineData("created:1")]
    [InlineData("record:1")]
    public async Task A_shard_killed_with_SIGKILL_and_rerun_with_resume_changes_nothing(string killAt)
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"))).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        var upscale = UpscaleArgs(input, output, null);
        await RunShards(upscale, 3);
        var part = Path.Combine(dir, "out.part-01-of-03.tif");
        File.Delete(part);

        var (killed, output1) = await SatsrProcess.Run([.. upscale, "--shard", "1/3"], killAt);
        Assert.True(killed == 137, $"exit {killed}, not killed by SIGKILL: {output1}");
        Assert.True(File.Exists(part + ".partial.journal"));
        Assert.Equal(killAt != KillPoint.Begin + ":1", File.Exists(part + ".partial"));
        Assert.False(File.Exists(part));
        var (resumed, output2) = await SatsrProcess.Run([.. upscale, "--shard", "1/3", "--resume", "--overwrite"]);
        Assert.True(resumed == 0, output2);
        Assert.False(File.Exists(part + ".partial.journal"));

        var (merged, text) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, text);
        AssertSameOutput(reference, output);
    }

    /// <summary>
    /// Two copies of one shard at once (Slurm requeued a task whose first copy still runs): the first holds its part
    /// (stopped by SATSR_TEST_HOLD_AT once its partial part is made); the second is refused in one line naming the
    /// part and changes no file. The first, killed, is resumed, and the merge equals the one run.
    /// </summary>
    [Fact]
    public async Task A_second_copy_of_a_running_shard_is_refused_and_changes_nothing()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"))).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        string[] shard1 = [.. UpscaleArgs(input, output, null), "--shard", "1/3", "--resume", "--overwrite"];
        await RunShards(UpscaleArgs(input, output, null), 3);
        var part = Path.Combine(dir, "out.part-01-of-03.tif");
        File.Delete(part);
        var mark = Path.Combine(dir, "held");

        var first = SatsrProcess.Start(shard1);
        first.Environment["SATSR_TEST_HOLD_AT"] = "created:1";
        first.Environment["SATSR_TEST_MARK_FILE"] = mark;
        first.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var held = System.Diagnostics.Process.Start(first)!;
        try
        {
            var stderr = held.StandardError.ReadToEndAsync();
            while (!File.Exists(mark))
            {
                if (held.HasExited) Assert.Fail($"the first copy ended before it held its part: {await stderr}");
                await Task.Delay(50);
            }
            var files = Snapshot(dir);

            var (exit, text) = await SatsrProcess.Run(shard1);
            Assert.Equal(1, exit);
            Assert.Equal($"error: {part}: another satsr run is writing it ({part}.partial.journal.lock is locked); wait for it to end or stop it", text.TrimEnd());
            Assert.Equal(files, Snapshot(dir));
        }
        finally
        {
            held.Kill();
            await held.WaitForExitAsync();
        }

        var (resumed, log) = await SatsrProcess.Run(shard1);
        Assert.True(resumed == 0, log);
        var (merged, mergeLog) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, mergeLog);
        AssertSameOutput(reference, output);
    }

    /// <summary>A merge killed while it copies the parts (and builds the overviews from them) leaves only its partial output; run again, it writes the one run's file.</summary>
    [Theory]
    [InlineData("merge:3")]
    public async Task A_merge_killed_with_SIGKILL_and_run_again_gives_the_one_run(string killAt)
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"))).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        await RunShards(UpscaleArgs(input, output, null), 3);
        var parts = Snapshot(dir);

        var (killed, text) = await SatsrProcess.Run(["merge", output], killAt);
        Assert.True(killed == 137, $"exit {killed}, not killed by SIGKILL: {text}");
        // Its lock file aside (the kernel let go of the lock at the kill; the next merge takes and removes it).
        Assert.Equal(parts.Keys.Append("out.tif.partial").Order(StringComparer.Ordinal),
            Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => !f!.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var (merged, log) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, log);
        AssertSameOutput(reference, output);
        Assert.Equal(parts, new SortedDictionary<string, string>(Snapshot(dir).Where(kv => kv.Key != "out.tif").ToDictionary(), StringComparer.Ordinal));
    }

    [Fact]
    public async Task Merge_refuses_a_missing_an_incomplete_or_a_foreign_part_with_one_line_and_writes_nothing()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var output = Path.Combine(dir, "out.tif");
        var upscale = UpscaleArgs(input, output, null);
        await RunShards(upscale, 3);
        var part = Path.Combine(dir, "out.part-02-of-03.tif");
        var kept = Path.Combine(dir, "kept.tif.bak");
        File.Move(part, kept);

        async Task Refused(string expected)
        {
            var files = Snapshot(dir);
            var (exit, text) = await SatsrProcess.Run(["merge", output]);
            Assert.Equal(1, exit);
            Assert.Equal($"error: {expected}", text.TrimEnd());   // one line, naming the file
            Assert.Equal(files, Snapshot(dir));
        }

        await Refused($"{part}: is missing; run shard 2/3");
        File.Copy(kept, part + ".partial");
        await Refused($"{part}: is incomplete (out.part-02-of-03.tif.partial is not finished); rerun shard 2/3 with --resume");
        File.Delete(part + ".partial");
        // The same shard of another job: one option changed (the overlap), so another fingerprint.
        string[] other = [.. upscale.Select(a => a == "8" ? "6" : a), "--shard", "2/3"];
        var (exit, text) = await SatsrProcess.Run(other);
        Assert.True(exit == 0, text);
        await Refused($"{part}: is from another job (input, model or options) than out.part-00-of-03.tif; rerun shard 2/3");
        File.Move(kept, part, overwrite: true);
        var (merged, log) = await SatsrProcess.Run(["merge", output]);
        Assert.True(merged == 0, log);
    }

    [Fact]
    public async Task Merge_vrt_reads_the_parts_as_the_one_run()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var reference = TestRasters.ReadAll(Upscaler.Run(Reference(input, Path.Combine(dir, "reference.tif"))).OutputPath, out var expected);
        var output = Path.Combine(dir, "out.tif");
        await RunShards(UpscaleArgs(input, output, null), 3);
        var (merged, text) = await SatsrProcess.Run(["merge", output, "--vrt"]);
        Assert.True(merged == 0, text);
        Assert.False(File.Exists(output));
        var vrt = Path.Combine(dir, "out.vrt");
        Assert.Equal(reference, TestRasters.ReadAll(vrt, out var profile));
        Assert.Equal((expected.Transform, expected.Bands[0].Nodata), (profile.Transform, profile.Bands[0].Nodata));
    }

    /// <summary>
    /// A VRT over the parts keeps each rotation term in its place. The input is made here with distinct terms
    /// (30 m pixels, row term 4, column term −3; the committed rotated fixture has −5 twice, so it cannot tell them
    /// apart). ×4 divides all four linear terms; part 1 starts at output row 48, its origin 48 rows of (1, −7.5) on.
    /// </summary>
    [Fact]
    public void Merge_vrt_keeps_distinct_rotation_terms_in_their_places()
    {
        using var dir = new TempFolder();
        var input = TestRasters.Crop("landsat5_b4_nodata255.tif", new Window(20, 20, 24, 24), dir.File("in.tif"),
            p => p with { Transform = new GeoTransform(500000, 30, 4, 9100000, -3, -30) });
        var output = dir.File("out.tif");
        for (var i = 0; i < 2; i++) Upscaler.Run(Reference(input, output) with { Shard = new Shard(i, 2) });
        PartMerge.Run(new MergeOptions { OutputPath = output, Vrt = true });

        using (var part = RasterDataset.Open(ShardPart.PathFor(output, null, new Shard(1, 2))))
        {
            Assert.Equal([500048, 7.5, 1, 9099640, -0.75, -7.5], part.Profile.Transform!.Value.ToArray());
        }
        using var vrt = RasterDataset.Open(dir.File("out.vrt"));
        Assert.Equal((96, 96), (vrt.Profile.Width, vrt.Profile.Height));
        Assert.Equal([500000, 7.5, 1, 9100000, -0.75, -7.5], vrt.Profile.Transform!.Value.ToArray());
    }
}
