using System.Globalization;
using SatSR.Inference;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline.Planning;

/// <summary>
/// Decides an upscale job from what was asked and what is known of the input, the network and the machine. Pure: it
/// reads no file and runs no network, so every decision (scale, tile, bands, rows, files, fingerprint) is made here
/// once, and is tested without GDAL or ONNX Runtime.
/// </summary>
internal static class Planner
{
    /// <summary>Workers per parallel stage when --threads does not say: more wait on each other more than they help.</summary>
    public const int MaxWorkers = 4;

    /// <param name="options">validated (<see cref="UpscaleOptions.Validate"/>)</param>
    /// <exception cref="InvalidOptionsException">the job cannot be done as asked (a scale the model lacks, an output too large, bands the input lacks…)</exception>
    public static UpscaleJob Plan(UpscaleOptions options, InputFacts input, NetworkFacts network, MachineFacts machine)
    {
        var profile = input.Profile;
        if (network.Channels is not (1 or 3))
        {
            throw new InvalidOptionsException($"model '{options.Model.Name}' takes {network.Channels} channels; SatSR feeds 1 or 3");
        }
        // --outscale F: the network runs at the smallest integer scale that reaches F (its own at most), so the resample
        // pass shrinks as little as possible, or enlarges past the model's scale.
        var scale = options.Scale ?? (options.OutScale is { } f ? Math.Min((int)Math.Ceiling(f), network.Scale) : network.Scale);
        if (scale > network.Scale) throw new InvalidOptionsException($"{OptionName.Scale} {scale} is larger than the model's ×{network.Scale}", scale);
        var factor = options.OutScale ?? scale;
        CheckOutputSize(options.InputPath, profile, factor);
        int width = OutputLength(profile.Width, factor), height = OutputLength(profile.Height, factor);

        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var bands = BandSelection.Resolve(profile, options.InputPath, options.Bands, network.Channels);
        encoding.CheckBandCount(bands.Output.Length);
        var batch = options.Batch ?? DefaultBatch(machine.Device);
        var workers = options.Threads > 0 ? options.Threads : Math.Min(machine.Cores, MaxWorkers);
        // Every shard of a job must plan the same tiles on whatever machine it runs: its default tile does not depend on
        // the machine's memory or cores (a fixed budget and worker count; docs/SCALE-OUT.md).
        options = options with
        {
            TileSize = options.TileSize ?? (options.Shard is null
                ? ChooseTile(options, profile, network, scale, encoding, bands, batch, workers, options.MemoryBytes ?? machine.MemoryBudget)
                : ChooseTile(options, profile, network, scale, encoding, bands, batch, MaxWorkers, options.MemoryBytes ?? TileSizing.ShardBudget)),
        };
        var plan = TilePlan.Create(profile.Width, profile.Height, options.TileSize.Value, options.EffectiveOverlap, options.Model.SizeRequirements);

        var resampled = width != profile.Width * scale || height != profile.Height * scale;
        var layout = ShardLayout.For(plan, scale, options.Blend, encoding.BlockHeight);
        // Resampled rows are split evenly: their tile rows are the resampling kernel's, not the blend's.
        var rows = options.Shard is not { } s ? new RowRange(0, height) : resampled ? ShardPlan.Rows(height, encoding.BlockHeight, s) : layout.Rows(s);
        var fingerprint = ResumeJournal.FingerprintOf(options, scale, input.Identity);
        var part = options.Shard is { } p
            ? new ShardPart(p, fingerprint, rows, height, options.Format, options.OverviewFactors(width, height), encoding.Streamed, encoding.Copy)
            : null;
        var nodata = encoding.Mask ? null : input.OutputNodata;
        var whole = OutputProfile.For(profile, width, height, nodata, bands.Output, options.Model.Name);
        var written = part?.ProfileOf(whole) ?? whole;
        // A shard's part is streamed; merge makes the copy.
        var copied = encoding.Copy is not null && part is null;
        var stage = resampled ? FileRole.IntegerScale : copied ? FileRole.CopySource : FileRole.Output;
        return new UpscaleJob
        {
            Options = options,
            Input = profile,
            Scale = scale,
            Width = width,
            Height = height,
            Plan = plan,
            Bands = bands,
            Scales = input.Scales,
            Encoders = BandRanges.Encoders(input.Scales, profile.DataType, input.OutputNodata),
            Encoding = encoding,
            Layout = layout,
            Rows = rows,
            StageRows = resampled ? SourceRows(profile.Height * scale, height, rows, encoding.BlockHeight) : rows,
            Part = part,
            OutputPath = PathOf(options),
            Stage = stage,
            Streamed = !resampled ? stage : copied ? FileRole.CopySource : FileRole.Output,
            OutputProfile = written,
            StageProfile = resampled
                ? OutputProfile.For(profile, profile.Width * scale, profile.Height * scale, input.OutputNodata, bands.Output, options.Model.Name)
                : written,
            Overviews = part is null ? options.OverviewFactors(width, height) : [],
            Device = machine.Device,
            Batch = batch,
            Workers = workers,
            Fingerprint = fingerprint,
        };
    }

    /// <summary>The path this process writes: the output, or a shard's part file.</summary>
    public static string PathOf(UpscaleOptions options) =>
        options.Shard is { } shard ? ShardPart.PathFor(options.OutputPath, options.PartsFolder, shard) : options.OutputPath;

    /// <summary>
    /// True when the output is made by a pass after the network's (the resample pass of --outscale, a copy): such a
    /// file has no journal and is redone whole.
    /// </summary>
    public static bool Redoable(UpscaleOptions options) =>
        options.OutScale is not null || (OutputEncoding.Copied(options.Format, options.CreationOptions) && options.Shard is null);

    /// <summary>The tile every shard of a job plans without <c>--tile</c>: from a fixed budget and worker count, not the machine's.</summary>
    public static int ShardTile(UpscaleOptions options, RasterProfile profile, NetworkFacts network, ExecutionDevice device)
    {
        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var scale = options.Scale ?? (options.OutScale is { } f ? Math.Min((int)Math.Ceiling(f), network.Scale) : network.Scale);
        var bands = BandSelection.Resolve(profile, options.InputPath, options.Bands, network.Channels);
        return ChooseTile(options, profile, network, scale, encoding, bands, options.Batch ?? DefaultBatch(device), MaxWorkers,
            options.MemoryBytes ?? TileSizing.ShardBudget);
    }

    private static int ChooseTile(UpscaleOptions options, RasterProfile profile, NetworkFacts network, int scale, OutputEncoding encoding,
        BandSelection bands, int batch, int workers, long budget)
    {
        var perPixel = TileSizing.PipelineBytesPerPixel(profile.BandCount, bands.Groups.Length, network.Channels, network.OutputChannels, network.Scale);
        return TileSizing.Choose(profile.Width, profile.Height, options.EffectiveOverlap, scale, bands.Output.Length, encoding.BlockHeight,
            encoding.BlockWidth, options.StripBudgetBytes, budget, perPixel, options.Model.Footprint.ActivationBytesPerPixel,
            batch, TileSizing.TilesInFlight(batch, workers, options.QueueDepth));
    }

    /// <summary>
    /// Tiles per runtime call: one on the CPU, where ONNX Runtime already spreads each convolution over every core (a
    /// batch there is not measured to help; docs/BENCHMARKS.md, "Batch on the CPU"); four on a GPU, which a single tile
    /// leaves partly idle (not measured: no GPU was at hand).
    /// </summary>
    private static int DefaultBatch(ExecutionDevice device) => device == ExecutionDevice.Cpu ? 1 : 4;

    /// <summary>Refuses an output GeoTIFF cannot hold, before anything is written.</summary>
    public static void CheckOutputSize(string inputPath, RasterProfile profile, double factor)
    {
        if (Math.Round(profile.Width * factor) > int.MaxValue || Math.Round(profile.Height * factor) > int.MaxValue)
        {
            var size = Math.Round(profile.Width * factor) * Math.Round(profile.Height * factor);
            throw new InvalidOptionsException(string.Create(CultureInfo.InvariantCulture,
                $"{inputPath}: the ×{factor} output ({size:N0} pixels) exceeds GeoTIFF's limits"));
        }
    }

    /// <summary>Output pixels along an axis of <paramref name="length"/> input pixels: round(length·F), so the extent is kept to half a pixel.</summary>
    private static int OutputLength(int length, double factor) => (int)Math.Round(length * factor, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The rows of the integer-scale file (<paramref name="stageHeight"/> rows) the resampling kernels of output
    /// <paramref name="rows"/> read, widened to whole blocks.
    /// </summary>
    private static RowRange SourceRows(int stageHeight, int height, RowRange rows, int blockHeight)
    {
        var (top, bottom) = ResampleAxis.Create(stageHeight, height).Support(rows.From, rows.To);
        return new RowRange(top / blockHeight * blockHeight, Math.Min(stageHeight, (bottom + blockHeight - 1) / blockHeight * blockHeight));
    }
}
