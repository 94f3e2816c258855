using System.Diagnostics;
using System.Globalization;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Planning;
using SatSR.Pipeline.Sharding;
using SatSR.Pipeline.Stages;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline;

/// <summary>
/// Runs one upscale job, streaming: plan tiles → read each tile's window → normalise → fill nodata → infer →
/// blend into an <see cref="OutputStrip"/> → write finished output blocks exactly once → scaled georeference.
/// Memory is bounded by the strip (one column chunk × one tile row), not by the image.
/// </summary>
public static class Upscaler
{
    /// <param name="engines">where the inference engine comes from and stays for the next job (<see cref="SceneRun"/>); null: one of the job's own</param>
    public static UpscaleResult Run(UpscaleOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default,
        EngineCache? engines = null)
    {
        options.Validate();
        // A shard writes a GeoTIFF part of the output's rows; `satsr merge` assembles them and writes the COG.
        var cog = options.Format == OutputFormat.Cog && options.Shard is null;
        var outputPath = options.Shard is { } shard ? ShardPart.PathFor(options.OutputPath, options.PartsFolder, shard) : options.OutputPath;
        // The output of a COG (the copy) and of --outscale (the resample pass) has no journal: it is redone whole.
        using var output = OutputTarget.Prepare(options.InputPath, outputPath, options.Overwrite, options.Resume, redoable: options.OutScale is not null || cog);
        using var source = RasterDataset.Open(options.InputPath);
        var profile = source.Profile;
        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var overlap = options.EffectiveOverlap;
        // Checked before the tile plan (whose size follows the image's) and before the model is loaded; a plain
        // .onnx tells its scale only when it runs, so its output is checked again below.
        CheckOutputSize(options.InputPath, profile, options.OutScale ?? options.Scale ?? options.Model.Scale ?? 1);
        var validity = Validity.For(source, options.Nodata, options.NodataValue);
        var device = InferenceEngine.Resolve(options.Device);
        var batch = options.Batch ?? DefaultBatch(device);
        var workers = options.Threads > 0 ? options.Threads : Math.Min(Environment.ProcessorCount, MaxWorkers);
        // Every shard of a job must plan the same tiles on whatever machine it runs: its default tile does not depend on
        // the machine's memory or cores (a fixed budget and worker count; docs/SCALE-OUT.md).
        options = options with
        {
            TileSize = options.TileSize ?? (options.Shard is null
                ? ChooseTile(options, profile, encoding, overlap, batch, workers, options.MemoryBytes ?? TileSizing.DefaultBudget())
                : ShardTile(options, profile, encoding)),
        };
        var plan = TilePlan.Create(profile.Width, profile.Height, options.TileSize.Value, overlap, options.Model.SizeRequirements);

        // Test-time augmentation turns tiles by quarter turns, so its tensor is square.
        var side = Math.Max(plan.TensorHeight, plan.TensorWidth);
        using var ownEngines = engines is null ? new EngineCache() : null;
        engines ??= ownEngines!;
        var engine = options.Tta
            ? engines.Get(options.Model, device, side, side, options.Threads, batch, options.Precision)
            : engines.Get(options.Model, device, plan.TensorHeight, plan.TensorWidth, options.Threads, batch, options.Precision);
        // --outscale F: the network runs at the smallest integer scale that reaches F (its own at most), so the
        // resample pass shrinks as little as possible, or enlarges past the model's scale.
        var scale = options.Scale ?? (options.OutScale is { } f ? Math.Min((int)Math.Ceiling(f), engine.Scale) : engine.Scale);
        if (scale > engine.Scale)
        {
            throw new InvalidOptionsException($"{OptionName.Scale} {scale} is larger than the model's ×{engine.Scale}", scale);
        }
        if (engine.Channels is not (1 or 3))
        {
            throw new InvalidOptionsException($"model '{options.Model.Name}' takes {engine.Channels} channels; SatSR feeds 1 or 3");
        }
        var factor = options.OutScale ?? scale;
        CheckOutputSize(options.InputPath, profile, factor);
        int width = OutputLength(profile.Width, factor), height = OutputLength(profile.Height, factor);

        var bands = BandSelection.Resolve(profile, options.InputPath, options.Bands, engine.Channels);
        encoding.CheckBandCount(bands.Output.Length);
        var scales = BandRanges.Measure(source, validity, options.Ranges, options.Stretch);
        var encoders = BandRanges.Encoders(scales, profile.DataType, validity.OutputNodata);
        var clock = Stopwatch.StartNew();
        var inputs = new StageInputs(options.InputPath, profile, validity, bands, scales, encoders, options.Tta, options.Consistency, options.Blend);
        // --precision int8: the graph quantised with activation ranges from a fixed sample of this input's own tiles.
        using var int8 = options.Precision != Precision.Int8 ? null : InferenceEngine.Create(
            Int8Model.Quantise(options.Model, Int8Model.PreparedSample(plan, inputs, engine), engine.Channels, engine.Height, engine.Width, options.Threads, cancellationToken),
            device, engine.Height, engine.Width, options.Threads, batch, Precision.Int8);
        var network = int8 ?? engine;
        KillPoint.Pass(KillPoint.Loaded);
        // The float32 session gave the int8 graph its shapes and calibration tiles; its weights need not stay in memory.
        if (int8 is not null) engines.Drop();
        int blockHeight = encoding.BlockHeight, blockWidth = encoding.BlockWidth;
        // An integer F the network reaches is that --scale, pixel for pixel; any other size is resampled from a
        // full integer-scale file beside the output.
        var resampled = width != profile.Width * scale || height != profile.Height * scale;
        var layout = ShardLayout.For(plan, scale, options.Blend, blockHeight);
        // The output rows this process writes (a shard's, or all) and, in a shard, the part file's record of them;
        // resampled rows are split evenly (their tile rows are the resampling kernel's, not the blend's).
        var rows = options.Shard is not { } s ? new RowRange(0, height) : resampled ? ShardPlan.Rows(height, blockHeight, s) : layout.Rows(s);
        // Once: it samples the input's bytes (a remote one with a request) and stats a VRT's sources.
        var fingerprint = ResumeJournal.FingerprintOf(options, scale, source.Files);
        var part = options.Shard is { } p
            ? new ShardPart(p, fingerprint, rows, height, options.Format, options.OverviewFactors(width, height), encoding.Streamed, encoding.Copy)
            : null;
        var wholeProfile = OutputProfile.For(profile, width, height, encoding.Mask ? null : validity.OutputNodata, bands.Output, options.Model.Name);
        var outputProfile = part?.ProfileOf(wholeProfile) ?? wholeProfile;
        // The files, in the order they are written: the network's stage (resumable), the GeoTIFF that gets the
        // overviews, and the output. Some are the same file.
        using var stage = resampled ? output.Intermediate(options.InputPath, $".x{scale}") : cog ? output.Intermediate(options.InputPath, ".gtiff") : output;
        // The interrupted job wrote another stage (another --scale or --outscale, or none): nothing of it is reusable,
        // and starting over beside it would leave it behind.
        if (options.Resume && output.InterruptedJournals().FirstOrDefault(j => j != stage.JournalPath) is { } other)
        {
            throw ResumeJournal.OtherJob(options.OutputPath, other);
        }
        using var streamed = !resampled ? stage : cog ? output.Intermediate(options.InputPath, ".gtiff", redoable: true) : output;
        var stageProfile = resampled ? OutputProfile.For(profile, profile.Width * scale, profile.Height * scale, validity.OutputNodata, bands.Output, options.Model.Name) : outputProfile;
        var journal = new ResumeJournal(stage.JournalPath, fingerprint + (part is null ? "" : $"/shard {part.Shard}"));
        var start = stage.Resuming ? journal.Read(outputPath) : new ResumePoint(0, 0);
        // A journal without its partial file: killed after the journal began, before the file was made, or the file was
        // removed. Nothing of it is kept, so the job starts over.
        if (!File.Exists(stage.PartialPath)) start = new ResumePoint(0, 0);
        // The network's rows: the output's, or with --outscale the stage rows its kernels read (written into a stage
        // file of the full size, where the rows this shard does not need stay unwritten).
        var stageRows = resampled ? ResamplePass.SourceRows(profile.Height * scale, height, rows, blockHeight) : rows;
        var schedule = TileSchedule.Create(plan, layout, bands.Output.Length, blockWidth, options.StripBudgetBytes, start, stageRows.From, stageRows.To);
        var stages = new StagedJob(workers, options.QueueDepth, options.BuffersReturned);
        StageFigures figures;
        TimeSpan overviewTime, copyTime = TimeSpan.Zero;
        try
        {
            // Nothing done yet (a new run, or one killed before its first record, whose file may be half made): the
            // journal first, then the file made anew.
            if (start == new ResumePoint(0, 0))
            {
                journal.Begin();
                stage.Restart();
                // Closed at once and reopened for update: libtiff persists a file's tile index on every flush only in
                // update mode, and the journal relies on flushed windows surviving a kill.
                using (RasterDataset.Create(stage.PartialPath, stageProfile, resampled ? encoding.Intermediate(profile.DataType) : encoding.Streamed,
                    mask: !resampled && encoding.Mask)) { }
                KillPoint.Pass(KillPoint.Created);
            }
            // A part gets no overviews: merge builds them over the whole output.
            var factors = part is null ? options.OverviewFactors(width, height) : [];
            var megapixels = profile.Width * (double)profile.Height / 1e6;
            OverviewWriter? overviews;
            using (var target = ReopenPartial(stage, stageProfile, encoding.Streamed.GetValueOrDefault("NUM_THREADS", "ALL_CPUS")))
            {
                // The network's file gets its overviews as it is written, unless a resample pass writes the output.
                overviews = resampled ? null : OverviewWriter.For(target, factors, created: start == new ResumePoint(0, 0));
                // Rows an interrupted run wrote are read back once, for the overview pixels they share with the rows to come.
                overviews?.Replay(schedule.Chunks.Where(c => c.FirstRow > rows.From)
                    .SelectMany(c => OutputBlocks.Pieces(Window.FromEdges(c.Left, rows.From, c.Left + c.Width, c.FirstRow), blockHeight, blockWidth)),
                    new StageProgress(progress, UpscaleStage.Overviews, megapixels, () => clock.Elapsed), cancellationToken);
                var outputs = new StageOutputs(target, journal, blockHeight, blockWidth, resampled ? 0 : rows.From, OutputBlocks.HasMask(target), overviews);
                var done = schedule.Resumed;
                var total = schedule.Tiles.Count + schedule.Resumed;
                var inputMegapixels = plan.Width * (double)plan.Height / 1e6;
                var blended = new TileCounter(() => progress?.Report(
                    new UpscaleProgress(++done, total, (double)done / Math.Max(1, total) * inputMegapixels, inputMegapixels, clock.Elapsed)));
                figures = stages.Run(schedule, inputs, network, outputs, blended, cancellationToken);
                overviews?.Flush();
            }
            if (resampled)
            {
                using var intermediate = RasterDataset.Open(stage.PartialPath);
                using var target = RasterDataset.Create(streamed.PartialPath, outputProfile, encoding.Streamed, encoding.Mask);
                overviews = OverviewWriter.For(target, factors, created: true);
                new ResamplePass(source, validity, intermediate, scale, bands, encoders,
                    progress, () => clock.Elapsed, cancellationToken).WriteAll(target, overviews, width, height, blockHeight, blockWidth, rows);
            }
            overviewTime = overviews?.Busy ?? TimeSpan.Zero;
            if (cog)
            {
                var step = Stopwatch.StartNew();
                OutputFinish.CopyCog(streamed.PartialPath, output.PartialPath, encoding.Copy!,
                    new StageProgress(progress, UpscaleStage.Copy, megapixels, () => clock.Elapsed), cancellationToken);
                copyTime = step.Elapsed;
            }
            output.Commit();
            if (stage != output) stage.Abandon();
            if (streamed != output) streamed.Abandon();
        }
        catch (Exception e) when (e is OperationCanceledException or RasterException { Retryable: true })
        {
            // Finished windows of the network's stage are in its partial file and journal: `--resume` continues from
            // there, after a cancel or once the server of a remote input answers again. The files after it are quick
            // to redo and go (a half-resampled output, a half-copied COG).
            if (streamed != stage) streamed.Abandon();
            if (output != stage) output.Abandon();
            if (e is RasterException) throw new SatSRException($"{e.Message}; the rows done are kept: run the same command with {OptionName.Resume} to continue", e);
            throw;
        }
        catch
        {
            output.Abandon();
            streamed.Abandon();
            stage.Abandon();
            throw;
        }
        return new UpscaleResult(output.FinalPath, width, height, (double)width / plan.Width, (double)height / plan.Height,
            figures.Inferred, figures.Skipped, network.Device, clock.Elapsed, figures.Of("read"), figures.Of("infer"), figures.Of("write"))
        {
            StageTimes = figures.Busy,
            ConsistencyBefore = figures.Before.Psnr,
            ConsistencyAfter = figures.After.Psnr,
            OverviewTime = overviewTime,
            CopyTime = copyTime,
            TileSize = plan.TileSize,
            Batch = batch,
            BufferPeakBytes = figures.Buffers.PeakBytes,
            BufferBudgetBytes = figures.Buffers.Budget,
        };
    }

    /// <param name="threads">GTiff's NUM_THREADS: an update does not keep the creation options, and blocks compress on these threads</param>
    private static RasterDataset ReopenPartial(OutputTarget output, RasterProfile expected, string threads)
    {
        var partial = RasterDataset.OpenForUpdate(output.PartialPath, $"NUM_THREADS={threads}");
        var p = partial.Profile;
        if (p.Width != expected.Width || p.Height != expected.Height || p.BandCount != expected.BandCount || p.DataType != expected.DataType)
        {
            partial.Dispose();
            throw new InvalidOptionsException($"{output.FinalPath}: cannot resume: {output.PartialPath} does not have the expected size or bands; remove it to start over");
        }
        return partial;
    }

    private static void CheckOutputSize(string inputPath, RasterProfile profile, double factor)
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

    /// <summary>Workers per parallel stage when --threads does not say: more wait on each other more than they help.</summary>
    private const int MaxWorkers = 4;

    /// <summary>
    /// Tiles per runtime call: one on the CPU, where ONNX Runtime already spreads each convolution over every core (a
    /// batch there is not measured to help; docs/BENCHMARKS.md, "Batch on the CPU"); four on a GPU, which a single tile
    /// leaves partly idle (not measured: no GPU was at hand).
    /// </summary>
    private static int DefaultBatch(ExecutionDevice device) => device == ExecutionDevice.Cpu ? 1 : 4;

    /// <summary>
    /// What <c>satsr plan</c> decides for <paramref name="options"/>' job (the input's header is read, nothing else), as
    /// <see cref="ShardPlan.Choose"/> does. Null for an <c>--outscale</c> job, whose rows are split evenly.
    /// </summary>
    public static ShardChoice? PlanShards(UpscaleOptions options, int? count, double maxHalo = ShardPlan.DefaultMaxHalo)
    {
        if (options.OutScale is not null) return null;
        RasterProfile profile;
        using (var source = RasterDataset.Open(options.InputPath)) profile = source.Profile;
        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var scale = options.Scale ?? options.Model.Scale ?? 4;
        var largest = options.TileSize ?? ShardTile(options, profile, encoding);
        return ShardPlan.Choose(profile.Width, profile.Height, options.EffectiveOverlap, scale, options.Blend, encoding.BlockHeight, count, options.TileSize, largest, maxHalo);
    }

    /// <summary>The tile every shard of a job plans without <c>--tile</c>: from a fixed budget and worker count, not the machine's.</summary>
    private static int ShardTile(UpscaleOptions options, RasterProfile profile, OutputEncoding encoding) =>
        ChooseTile(options, profile, encoding, options.EffectiveOverlap, options.Batch ?? DefaultBatch(InferenceEngine.Resolve(options.Device)),
            MaxWorkers, options.MemoryBytes ?? TileSizing.ShardBudget);

    private static int ChooseTile(UpscaleOptions options, RasterProfile profile, OutputEncoding encoding, int overlap, int batch, int workers, long budget)
    {
        var bands = BandSelection.Resolve(profile, options.InputPath, options.Bands, options.Model.InputChannels);
        var modelScale = options.Model.Scale ?? 4;
        var scale = options.Scale ?? (options.OutScale is { } f ? Math.Min((int)Math.Ceiling(f), modelScale) : modelScale);
        var channels = options.Model.InputChannels;
        var perPixel = TileSizing.PipelineBytesPerPixel(profile.BandCount, bands.Output.Length, bands.Groups.Length, channels, channels, modelScale, scale);
        return TileSizing.Choose(profile.Width, profile.Height, overlap, scale, bands.Output.Length, encoding.BlockHeight, encoding.BlockWidth,
            options.StripBudgetBytes, budget, perPixel, TileSizing.ActivationBytesPerPixel(options.Model),
            batch, TileSizing.TilesInFlight(batch, workers, options.QueueDepth));
    }
}

/// <summary>Calls back once per tile blended.</summary>
internal sealed class TileCounter(Action tileDone) : IProgress<int>
{
    public void Report(int value)
    {
        KillPoint.Pass(KillPoint.Tile);
        tileDone();
    }
}
