using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Radiometry;
using SatSR.Tiling;

namespace SatSR.Tests.Pipeline;

/// <summary>An interrupted job continues with --resume and gives the pixels an uninterrupted run gives.</summary>
public partial class ResumeTests
{
    // Small blocks and tiles so a tiny input still has many durable steps to interrupt between.
    private static readonly Dictionary<string, string> SmallBlocks = new() { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" };

    private static UpscaleOptions Options(string input, string output) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = TestModels.SatX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
        TileSize = 16,
        Overlap = 8,
        CreationOptions = SmallBlocks,
    };

    private static string Input(string dir, int size = 48) =>
        TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, size, size), Path.Combine(dir, "in.tif"));

    /// <summary>Cancels the job, synchronously, once <paramref name="tiles"/> tiles are done (a resumed run first reads back for its overviews: not tiles).</summary>
    private sealed class CancelAfter(int tiles, CancellationTokenSource cts) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            if (value.Stage == UpscaleStage.Infer && value.TilesDone >= tiles) cts.Cancel();
        }
    }

    /// <summary>Runs <paramref name="options"/> and cancels it after <paramref name="tiles"/> tiles: a partial output and its journal stay.</summary>
    private static void Interrupt(UpscaleOptions options, int tiles)
    {
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, new CancelAfter(tiles, cts), cts.Token));
        Assert.False(File.Exists(options.OutputPath));
        Assert.Contains(Directory.GetFiles(Path.GetDirectoryName(options.OutputPath)!), f => f.EndsWith(".partial.journal", StringComparison.Ordinal));
    }

    private static void AssertOnlyFiles(string dir, params string[] names) =>
        Assert.Equal(names.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());

    [Fact]
    public void Interrupted_twice_then_resumed_gives_identical_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir, 96);
        var reference = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "reference.tif"))).OutputPath, out _);

        var output = Path.Combine(dir, "out.tif");
        Interrupt(Options(input, output), tiles: 14);
        Interrupt(Options(input, output) with { Resume = true }, tiles: 26);
        var result = Upscaler.Run(Options(input, output) with { Resume = true });

        Assert.True(result.TilesInferred < 24, $"the resumed run inferred {result.TilesInferred} of 36 tiles");
        Assert.Equal(reference, TestRasters.ReadAll(output, out _));
        AssertOnlyFiles(dir, "in.tif", "out.tif", "reference.tif");
    }

    [Fact]
    public void A_leftover_partial_output_is_reported_with_the_hint_to_resume()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var output = Path.Combine(dir, "out.tif");
        Interrupt(Options(input, output), tiles: 3);
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(Options(input, output)));
        Assert.Contains("add Resume to continue it", e.Message);
        Assert.True(File.Exists(output + ".partial"));
    }

    /// <summary>
    /// 96×96 pixels of the RGB scene in tiles of 32 read with 8 overlap: three tile rows reading input rows 0–48,
    /// 24–72 and 48–96, three tiles each. Cancelled after 7 tiles, the journal holds the rows above the third tile
    /// row's read, input row 48 (output row 192 at ×4, 144 at ×3).
    /// </summary>
    private static UpscaleOptions RgbOptions(string dir) => new()
    {
        InputPath = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, 96, 96), Path.Combine(dir, "in.tif")),
        OutputPath = Path.Combine(dir, "out.tif"),
        Model = TestModels.GeneralX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
        TileSize = 32,
        Overlap = 8,
        CreationOptions = SmallBlocks,
    };

    private const int RgbTilesBeforeInterrupt = 7;

    /// <summary>The fixture network with one weight changed: same architecture, same shapes, other weights.</summary>
    private static readonly Lazy<ModelDescriptor> OtherWeights = new(() =>
    {
        var model = ModelProto.Parser.ParseFrom(TestModels.GeneralX4.OnnxModel);
        var bias = model.Graph.Initializer.Single(t => t.Name == "body.0.bias");
        var raw = bias.RawData.ToByteArray();
        BitConverter.GetBytes(BitConverter.ToSingle(raw) + 0.25f).CopyTo(raw, 0);
        bias.RawData = ByteString.CopyFrom(raw);
        return TestModels.GeneralX4 with { OnnxModel = model.ToByteArray() };
    });

    /// <summary>
    /// The interrupted job's options and the resumed one's, which differ in <paramref name="change"/> alone. The resumed
    /// options are made only after the interruption: "input" rewrites the input file then.
    /// </summary>
    private static (UpscaleOptions Before, Func<UpscaleOptions> After) Change(string change, UpscaleOptions o) => change switch
    {
        "input" => (o, () =>
        {
            ReplacePixelsKeepingSizeAndTime(o.InputPath);
            return o;
        }),
        "model" => (o, () => o with { Model = OtherWeights.Value }),
        "scale" => (o, () => o with { Scale = 2 }),
        "outscale" => (o with { OutScale = 2.5 }, () => o with { OutScale = 2.75 }),   // the same ×3 stage
        "outscale-stage" => (o with { OutScale = 2.5 }, () => o with { OutScale = 3.5 }),   // ×3 interrupted, ×4 asked
        "outscale-dropped" => (o with { OutScale = 2.5 }, () => o),
        "outscale-added" => (o, () => o with { OutScale = 2.5 }),
        "tile" => (o, () => o with { TileSize = 24 }),
        "overlap" => (o, () => o with { Overlap = 4 }),
        "bands" => (o with { Bands = [1, 2, 3] }, () => o with { Bands = [3, 2, 1] }),   // same output bands, other order into the network
        "ranges" => (o, () => o with { Ranges = [new RangeOverride(null, 0, 200)] }),
        "nodata" => (o, () => o with { Nodata = NodataMode.None }),
        "nodata-value" => (o with { Nodata = NodataMode.Value, NodataValue = 0 }, () => o with { Nodata = NodataMode.Value, NodataValue = 7 }),
        "consistency" => (o, () => o with { Consistency = true }),
        "model-weight" => (o, () => o with { ModelWeight = 0.5 }),
        "blend" => (o, () => o with { Blend = BlendMode.HardCrop }),
        "creation-options" => (o, () => o with { CreationOptions = new Dictionary<string, string>(SmallBlocks) { ["COMPRESS"] = "LZW" } }),
        "strip-budget" => (o, () => o with { StripBudgetBytes = 512 << 10 }),   // two column chunks
        "stretch" => (o, () => o with { Stretch = Stretch.Percentile }),
        "tta" => (o, () => o with { Tta = true }),
        "precision" => (o, () => o with { Precision = Precision.Int8 }),
        "overviews" => (o, () => o with { Overviews = [] }),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
    };

    /// <summary>
    /// Puts other pixels (the scene's negative) in the input: same path, same length, and the modification time set
    /// back, so only its content tells the two apart.
    /// </summary>
    private static void ReplacePixelsKeepingSizeAndTime(string path)
    {
        var before = new FileInfo(path);
        var (length, time, bytes) = (before.Length, before.LastWriteTimeUtc, File.ReadAllBytes(path));
        var other = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, 96, 96), path + ".other.tif", values: v => 255 - v);
        File.Move(other, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, time);
        var after = new FileInfo(path);
        Assert.Equal((length, time), (after.Length, after.LastWriteTimeUtc));
        Assert.NotEqual(bytes, File.ReadAllBytes(path));
    }

    /// <summary>Every file in <paramref name="dir"/> with the SHA-256 of its bytes.</summary>
    private static SortedDictionary<string, string> Snapshot(string dir) =>
        new(Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    /// <summary>Each refusal row and the option it changes (the input row changes the file, not its path).</summary>
    public static TheoryData<string, string> RefusalRows => new()
    {
        { "input", nameof(UpscaleOptions.InputPath) },
        { "model", nameof(UpscaleOptions.Model) },
        { "scale", nameof(UpscaleOptions.Scale) },
        { "outscale", nameof(UpscaleOptions.OutScale) },
        { "outscale-stage", nameof(UpscaleOptions.OutScale) },
        { "outscale-dropped", nameof(UpscaleOptions.OutScale) },
        { "outscale-added", nameof(UpscaleOptions.OutScale) },
        { "tile", nameof(UpscaleOptions.TileSize) },
        { "overlap", nameof(UpscaleOptions.Overlap) },
        { "bands", nameof(UpscaleOptions.Bands) },
        { "ranges", nameof(UpscaleOptions.Ranges) },
        { "nodata", nameof(UpscaleOptions.Nodata) },
        { "nodata-value", nameof(UpscaleOptions.NodataValue) },
        { "consistency", nameof(UpscaleOptions.Consistency) },
        { "model-weight", nameof(UpscaleOptions.ModelWeight) },
        { "blend", nameof(UpscaleOptions.Blend) },
        { "creation-options", nameof(UpscaleOptions.CreationOptions) },
        { "strip-budget", nameof(UpscaleOptions.StripBudgetBytes) },
        { "stretch", nameof(UpscaleOptions.Stretch) },
        { "tta", nameof(UpscaleOptions.Tta) },
        { "precision", nameof(UpscaleOptions.Precision) },
        { "overviews", nameof(UpscaleOptions.Overviews) },
    };

    /// <summary>
    /// The options a resume may change: where the result goes and what it may replace, and how fast it is computed
    /// (the device and threads change float rounding at most, not what is computed; batch and queue depth change nothing,
    /// DeterminismTests; the memory budget acts only through the tile size it chooses, which is in the fingerprint).
    /// </summary>
    private static readonly string[] FreeOnResume =
    [
        nameof(UpscaleOptions.OutputPath), nameof(UpscaleOptions.Overwrite), nameof(UpscaleOptions.Resume),
        nameof(UpscaleOptions.Device), nameof(UpscaleOptions.Threads), nameof(UpscaleOptions.Batch), nameof(UpscaleOptions.QueueDepth),
        nameof(UpscaleOptions.MemoryBytes),
        // The shard and the parts folder pick the part file (OUT.part-i-of-N.tif): another shard is another file, and the
        // part's journal holds its shard besides the job's fingerprint.
        nameof(UpscaleOptions.Shard), nameof(UpscaleOptions.PartsFolder),
        // Not free, but no row here: this fixture's 16-pixel blocks are below COG's minimum, so --format cog stops at
        // its options. It is in the fingerprint, and a COG job streams into another file (OUTPUT.gtiff.partial) whose
        // journal the stage check tells apart (the outscale-stage rows test that check).
        nameof(UpscaleOptions.Format),
    ];

    private static IEnumerable<System.Reflection.PropertyInfo> Settable => typeof(UpscaleOptions).GetProperties().Where(p => p.CanWrite);

    /// <summary>
    /// A new option must either get a refusal row or be declared free to change, here and in the fingerprint's own list
    /// (which leaves out exactly those; every other option is in it by construction).
    /// </summary>
    [Fact]
    public void Every_option_has_a_refusal_row_or_is_free_to_change_on_resume()
    {
        var covered = RefusalRows.Select(row => (string)row[1]).Concat(FreeOnResume).Distinct().Order();
        Assert.Equal(Settable.Select(p => p.Name).Order(), covered);
        Assert.Equal(FreeOnResume.Where(o => o != nameof(UpscaleOptions.Format)).Order(), ResumeJournal.FreeOnResume.Order());
    }

    [Theory]
    [MemberData(nameof(RefusalRows))]
    public void Resuming_with_one_thing_changed_is_refused_and_touches_nothing(string change, string option)
    {
        var dir = TestFiles.TempDir();
        var (before, after) = Change(change, RgbOptions(dir));
        Interrupt(before, RgbTilesBeforeInterrupt);
        var changed = after();
        var differing = Settable.Where(p => !Equals(p.GetValue(before), p.GetValue(changed))).Select(p => p.Name);
        Assert.Equal(option == nameof(UpscaleOptions.InputPath) ? [] : [option], differing);
        var resumed = changed with { Resume = true };
        var files = Snapshot(dir);

        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(resumed));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"{resumed.OutputPath}: cannot resume: ", e.Message);
        var partial = files.Keys.Single(f => f.EndsWith(".partial", StringComparison.Ordinal));
        Assert.Contains($"{partial} was made from another input, model or options", e.Message);
        Assert.Equal(files, Snapshot(dir));   // the partial output and journal byte for byte, and no final file
    }

    /// <summary>The control for the refusals above: the same interruption resumed with nothing changed.</summary>
    [Fact]
    public void Resuming_with_nothing_changed_continues_to_the_uninterrupted_pixels()
    {
        var dir = TestFiles.TempDir();
        var options = RgbOptions(dir);
        var reference = TestRasters.ReadAll(Upscaler.Run(options with { OutputPath = Path.Combine(dir, "reference.tif") }).OutputPath, out _);
        Interrupt(options, RgbTilesBeforeInterrupt);

        var result = Upscaler.Run(options with { Resume = true });
        Assert.Equal(6, result.TilesInferred);   // the first tile row (input rows 0–48) is all in the journal's rows
        Assert.Equal(reference, TestRasters.ReadAll(options.OutputPath, out _));
        AssertOnlyFiles(dir, "in.tif", "out.tif", "reference.tif");
    }

    /// <summary>
    /// The CLI kills itself (SATSR_TEST_KILL_AT, SIGKILL) right after the K-th journal record or resample piece, then
    /// `--resume` finishes the job. 64 input rows in tiles of 16 read with 8 overlap: reads start at rows 0, 8, 24
    /// and 32; after a tile row, the rows above the next read ×scale are final, written down to a 16-row block:
    /// ×4 records rows 32, 96, 128, 256, the ×3 stage of --outscale 2.5 rows 16, 64, 96, 192. The pass then writes
    /// its 160 rows in 10 pieces of one block row.
    /// </summary>
    [Theory]
    [InlineData("record:1", null, 32)]      // the first durable window
    [InlineData("record:2", null, 96)]      // a middle one
    [InlineData("record:4", null, 256)]     // the last: all written, not yet renamed
    [InlineData("record:4", 2.5, 192)]      // the ×3 stage complete, the resample pass not begun
    [InlineData("resample:5", 2.5, 192)]    // in the resample pass: its output half-written, with no journal
    public async Task Killed_with_SIGKILL_at_an_exact_point_then_resumed_gives_identical_pixels(string killAt, double? outScale, int journalRows)
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir, 64);
        var output = Path.Combine(dir, "out.tif");
        var options = Options(input, Path.Combine(dir, "reference.tif")) with { OutScale = outScale };
        var reference = TestRasters.ReadAll(Upscaler.Run(options).OutputPath, out _);
        string[] args = ["upscale", input, output, "--tile", "16", "--overlap", "8", "--co", "BLOCKXSIZE=16", "--co", "BLOCKYSIZE=16", "--device", "cpu",
            .. outScale is { } f ? ["--outscale", f.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>()];
        var journal = output + (outScale is null ? "" : ".x3") + ".partial.journal";

        var (killed, stderr) = await SatsrProcess.Run(args, killAt);
        Assert.True(killed == 137, $"exit {killed}, not killed by SIGKILL (137) at {killAt}: {stderr}");
        Assert.Equal(journalRows, RowsDone(journal));
        // A kill in the resample pass leaves its output half-written beside the finished ×3 stage; before it, none.
        if (outScale is not null) Assert.Equal(killAt.StartsWith(KillPoint.Resample, StringComparison.Ordinal), File.Exists(output + ".partial"));
        Assert.False(File.Exists(output));

        var (resumed, error) = await SatsrProcess.Run([.. args, "--resume"]);
        Assert.True(resumed == 0, error);
        Assert.Equal(reference, TestRasters.ReadAll(output, out _));
        AssertOnlyFiles(dir, "in.tif", "out.tif", "reference.tif");
    }

    /// <summary>
    /// The CLI kills itself (SIGKILL) in each phase of a run, from before anything is written to the COG copy, and
    /// `--resume --overwrite` (what the scripts of `satsr plan` rerun) finishes the job with the pixels and overviews of an
    /// uninterrupted run. <paramref name="left"/>: the files the kill leaves, which shows where it struck; the journal's
    /// rows (<paramref name="journalRows"/>, of <paramref name="journalOf"/>) show how far the network's stage got:
    /// 0 before the first record, all 256 (or the ×3 stage's 192) after the last. 64×64 in, ×4 (×2.5 by a ×3 stage).
    /// </summary>
    [Theory]
    [InlineData("loaded:1", null, false, "", null, null)]                                             // model loaded, nothing written
    [InlineData("begin:1", null, false, "out.tif.partial.journal", "out.tif", 0)]                     // journal begun, no partial file yet
    [InlineData("created:1", null, false, "out.tif.partial out.tif.partial.journal", "out.tif", 0)]  // partial file made, no pixel in it
    [InlineData("created:1", 2.5, false, "out.tif.x3.partial out.tif.x3.partial.journal", "out.tif.x3", 0)]
    [InlineData("resample:1", 2.5, false, "out.tif.partial out.tif.x3.partial out.tif.x3.partial.journal", "out.tif.x3", 192)]
    [InlineData("record:2", null, false, "out.tif.partial out.tif.partial.journal", "out.tif", 96)]         // mid-pass: overviews half built
    [InlineData("created:1", null, true, "out.tif.gtiff.partial out.tif.gtiff.partial.journal", "out.tif.gtiff", 0)]
    [InlineData("record:1", null, true, "out.tif.gtiff.partial out.tif.gtiff.partial.journal", "out.tif.gtiff", 128)]
    [InlineData("copy:2", null, true, "out.tif.gtiff.partial out.tif.gtiff.partial.journal out.tif.partial", "out.tif.gtiff", 256)]
    public async Task Killed_with_SIGKILL_in_any_phase_then_resumed_gives_identical_pixels(
        string killAt, double? outScale, bool cog, string left, string? journalOf, int? journalRows)
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir, 64);
        var output = Path.Combine(dir, "out.tif");
        // COG's blocks are 128 at least; its output is one column of two block rows, GeoTIFF's of 16 blocks of 16.
        var creation = cog ? new Dictionary<string, string> { ["BLOCKSIZE"] = "128" } : SmallBlocks;
        var options = Options(input, Path.Combine(dir, "reference.tif")) with
        {
            OutScale = outScale, Overviews = [2], Format = cog ? OutputFormat.Cog : OutputFormat.GTiff, CreationOptions = creation,
        };
        var reference = Upscaler.Run(options).OutputPath;
        string[] args = ["upscale", input, output, "--tile", "16", "--overlap", "8", "--device", "cpu", "--overviews", "2",
            .. creation.SelectMany(kv => new[] { "--co", $"{kv.Key}={kv.Value}" }),
            .. cog ? ["--format", "cog"] : Array.Empty<string>(),
            .. outScale is { } f ? ["--outscale", f.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>()];

        var (killed, stderr) = await SatsrProcess.Run(args, killAt);
        Assert.True(killed == 137, $"exit {killed}, not killed by SIGKILL (137) at {killAt}: {stderr}");
        // Lock files aside: a killed run leaves each of its own (the kernel let go of the lock); the resume takes and removes them.
        Assert.Equal(left.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("in.tif").Append("reference.tif").Order(StringComparer.Ordinal),
            Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => !f!.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        if (journalOf is not null) Assert.Equal(journalRows, RowsDone(Path.Combine(dir, journalOf + ".partial.journal")));

        var (resumed, error) = await SatsrProcess.Run([.. args, "--resume", "--overwrite"]);
        Assert.True(resumed == 0, error);
        Assert.Equal(TestRasters.ReadAll(reference, out _), TestRasters.ReadAll(output, out _));
        Assert.Equal(Overview(reference), Overview(output));
        AssertOnlyFiles(dir, "in.tif", "out.tif", "reference.tif");
    }

    /// <summary>A file at OUTPUT.partial with no journal is not SatSR's: even --resume --overwrite refuses it, naming it, and leaves it as it was.</summary>
    [Fact]
    public void A_partial_file_without_a_journal_is_refused_and_left_alone()
    {
        var dir = TestFiles.TempDir();
        var options = Options(Input(dir), Path.Combine(dir, "out.tif")) with { Resume = true, Overwrite = true };
        File.WriteAllText(options.OutputPath + ".partial", "the user's own notes");
        var files = Snapshot(dir);

        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(options));
        Assert.Equal($"{options.OutputPath}: cannot resume: {options.OutputPath}.partial has no journal; remove it to start over", e.Message);
        Assert.Equal(files, Snapshot(dir));
    }

    /// <summary>The first overview of <paramref name="path"/>'s first band.</summary>
    private static double[] Overview(string path)
    {
        using var overview = SatSR.Raster.RasterDataset.OpenOverview(path, 0);
        var values = new double[overview.Profile.Width * overview.Profile.Height];
        overview.Read<double>(new Window(0, 0, overview.Profile.Width, overview.Profile.Height), [1], values);
        return values;
    }

    [Fact]
    public async Task Pixels_are_on_disk_before_the_journal_records_them()
    {
        // The journal's temp file is a FIFO whose pipe the test has filled: the job opens it and then blocks writing
        // the first record, so the partial file can be copied at exactly that moment. Whatever the journal says is
        // done must already be in that copy, or a kill there resumes past rows that were never written.
        var dir = TestFiles.TempDir();
        var fifo = -1;
        Task<UpscaleResult>? job = null;
        try
        {
            var output = Path.Combine(dir, "out.tif");
            var temp = output + ".partial.journal.tmp";
            Assert.Equal(0, MkFifo(temp, 0b110_000_000)); // rw-------
            fifo = Open(temp, ORdWr | ONonBlock);
            Assert.True(fifo >= 0, $"open {temp}: errno {Marshal.GetLastPInvokeError()}");
            var filler = new byte[4096];
            long filled = 0;
            for (long n; (n = Write(fifo, filler, filler.Length)) > 0;) filled += n;

            job = Task.Run(() => Upscaler.Run(Options(Input(dir, 32), output)));
            var clock = Stopwatch.StartNew();
            while (OpenCount(temp) < 2)
            {
                if (job.IsCompleted) Assert.Fail($"the job ended without recording progress: {job.Exception?.GetBaseException().Message}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10), "no progress in 10 minutes (a hang guard)");
                Thread.Sleep(5);
            }
            var snapshot = Path.Combine(dir, "snapshot.tif");
            File.Copy(output + ".partial", snapshot);

            using var record = JsonDocument.Parse(Drain(fifo, filled, job));
            var result = await job;
            var final = TestRasters.ReadAll(result.OutputPath, out var profile);
            var rows = record.RootElement.GetProperty("RowsDone").GetInt32();
            Assert.Equal(0, record.RootElement.GetProperty("Chunk").GetInt32());
            Assert.InRange(rows, 1, profile.Height);
            var durable = rows * profile.Width;
            Assert.Equal(final[..durable], TestRasters.ReadAll(snapshot, out _)[..durable]);
        }
        finally
        {
            // Closing the only reader fails the job's blocked write (EPIPE) if the test stopped before draining.
            if (fifo >= 0) Close(fifo);
            if (job is not null) await Task.WhenAny(job);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>How many of this process's file descriptors are open on <paramref name="path"/>.</summary>
    private static int OpenCount(string path) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // closed while listed
            }
        });

    /// <summary>Reads the <paramref name="filled"/> bytes the test put in the pipe, then the job's record, whole.</summary>
    private static string Drain(int fifo, long filled, Task job)
    {
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var n = Read(fifo, buffer, buffer.Length);
            if (n > 0)
            {
                bytes.AddRange(buffer.AsSpan(0, (int)n));
                continue;
            }
            if (bytes.Count > filled)
            {
                var text = Encoding.UTF8.GetString(bytes.ToArray(), (int)filled, bytes.Count - (int)filled);
                if (text.EndsWith('}')) return text;
            }
            if (job.IsCompleted) Assert.Fail($"the job ended before its record was read: {job.Exception?.GetBaseException().Message}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(10), "no record in 10 minutes (a hang guard)");
            Thread.Sleep(1);
        }
    }

    private const int ORdWr = 2, ONonBlock = 0x800;

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    private static int RowsDone(string journal)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(journal));
        return doc.RootElement.GetProperty("RowsDone").GetInt32();
    }
}
