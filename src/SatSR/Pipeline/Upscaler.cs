using System.Diagnostics;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Buffers;
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
        // Before anything is read: the output's checks (exists, locked, an interrupted run's leftovers) are instant.
        using var output = OutputTarget.Prepare(options.InputPath, Planner.PathOf(options), options.Overwrite, options.Resume, Planner.Redoable(options));
        using var source = RasterDataset.Open(options.InputPath);
        var validity = Validity.For(source, options.Nodata, options.NodataValue);
        var device = InferenceEngine.Resolve(options.Device);
        var facts = Probe(options.Model, device);
        var job = Planner.Plan(options, Measure(source, validity, options), facts, new MachineFacts(device, Environment.ProcessorCount, TileSizing.DefaultBudget()));
        var clock = Stopwatch.StartNew();
        using var ownEngines = engines is null ? new EngineCache() : null;
        engines ??= ownEngines!;
        var network = Network(job, facts, engines, validity, cancellationToken, out var int8);
        using (int8)
        {
            var weight = options.ModelWeight is { } given ? (float)given : ModelWeightMeasure.Measure(job, facts.Channels, validity, cancellationToken);
            // The file says what it was made with whenever the network's output was not taken as it is, or the weight was measured.
            if (options.ModelWeight is null || weight < 1)
            {
                job = job with { OutputProfile = OutputProfile.WithWeight(job.OutputProfile, weight), StageProfile = OutputProfile.WithWeight(job.StageProfile, weight) };
            }
            var stages = new StagedJob(job, validity, weight);
            var buffers = stages.Owner(network);
            try
            {
                var (figures, overviewTime, copyTime) = Write(job, output, source, validity, stages, buffers, network, progress, clock, cancellationToken);
                return new UpscaleResult(output.FinalPath, job.Width, job.Height, (double)job.Width / job.Plan.Width, (double)job.Height / job.Plan.Height,
                    figures.Inferred, figures.Skipped, network.Device, clock.Elapsed, figures.Of("read"), figures.Of("infer"), figures.Of("write"))
                {
                    StageTimes = figures.Busy,
                    ConsistencyBefore = figures.Before.Psnr,
                    ConsistencyAfter = figures.After.Psnr,
                    ModelWeight = weight,
                    OverviewTime = overviewTime,
                    CopyTime = copyTime,
                    TileSize = job.Plan.TileSize,
                    Batch = job.Batch,
                    BufferPeakBytes = buffers.Counts.PeakBytes,
                    BufferBudgetBytes = buffers.Budget,
                };
            }
            finally
            {
                // Every stage and writer that leased from the owner is disposed by now, however the job ended.
                job.Options.BuffersReturned?.Invoke(buffers.Counts);
            }
        }
    }

    /// <summary>What the planner needs of the input, read once: its header, the nodata written, each band's mapping, its identity.</summary>
    private static InputFacts Measure(RasterDataset source, Validity validity, UpscaleOptions options) =>
        new(source.Profile, validity.OutputNodata, BandRanges.Measure(source, validity, options.Ranges, options.Stretch),
            ResumeJournal.Identify(options.InputPath, source.Files));

    /// <summary>
    /// What the planner needs of the network: the file's scale and channels, or, for a graph that does not say its scale
    /// (a plain .onnx), what a run of a small tile shows.
    /// </summary>
    internal static NetworkFacts Probe(ModelDescriptor model, ExecutionDevice device)
    {
        if (model.Scale is { } scale) return new NetworkFacts(scale, model.InputChannels, model.OutputChannels);
        var side = model.SizeRequirements.RoundUp(ProbeSide);
        using var probe = InferenceEngine.Create(model, device, side, side, threads: 1);
        return new NetworkFacts(probe.Scale, probe.Channels, probe.OutputChannels);
    }

    private const int ProbeSide = 64;

    /// <summary>
    /// The engine the job's tiles run on: the float32 one from <paramref name="engines"/>, or with --precision int8 the
    /// graph quantised with activation ranges from a fixed sample of this input's own tiles (<paramref name="int8"/>, the
    /// caller's to dispose). No float32 session of the tile's size is made for int8: calibration runs its own, so one
    /// would only cost time and memory.
    /// </summary>
    private static InferenceEngine Network(UpscaleJob job, NetworkFacts facts, EngineCache engines, Validity validity, CancellationToken ct,
        out InferenceEngine? int8)
    {
        var o = job.Options;
        int8 = null;
        if (o.Precision == Precision.Int8)
        {
            // A float32 engine kept from an earlier scene is not needed, and its weights need not stay in memory.
            engines.Drop();
            var quantised = Int8Model.Quantise(o.Model, SceneSample.Prepared(job, validity, facts.Channels).Select(t => t.Input), facts.Channels, job.TensorHeight,
                job.TensorWidth, o.Threads, ct);
            int8 = InferenceEngine.Create(quantised, job.Device, job.TensorHeight, job.TensorWidth, o.Threads, job.Batch, Precision.Int8);
        }
        var engine = int8 ?? engines.Get(o.Model, job.Device, job.TensorHeight, job.TensorWidth, o.Threads, job.Batch, o.Precision);
        // The planner took the scale from the file or a probe; a graph that says one thing and does another is caught here.
        if (engine.Scale < job.Scale)
        {
            int8?.Dispose();
            throw new InvalidOptionsException($"{OptionName.Scale} {job.Scale} is larger than the model's ×{engine.Scale}", job.Scale);
        }
        KillPoint.Pass(KillPoint.Loaded);
        return engine;
    }

    /// <summary>The job's files, in the order they are written: the network's stage (resumable), the resampled output, the copy (COG, or GeoTIFF options only a copy applies).</summary>
    private static (StageFigures Figures, TimeSpan Overviews, TimeSpan Copy) Write(UpscaleJob job, OutputTarget output, RasterDataset source,
        Validity validity, StagedJob stages, BufferOwner buffers, InferenceEngine network, IProgress<UpscaleProgress>? progress, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var o = job.Options;
        OutputTarget Open(FileRole role) => role switch
        {
            FileRole.Output => output,
            FileRole.IntegerScale => output.Intermediate(o.InputPath, $".x{job.Scale}"),
            // After a resampled stage the copy's source is redone whole; without one it is the stage, resumable.
            _ => output.Intermediate(o.InputPath, ".gtiff", redoable: job.Resampled),
        };
        using var stage = Open(job.Stage);
        // The interrupted job wrote another stage (another --scale or --outscale, or none): nothing of it is reusable,
        // and starting over beside it would leave it behind.
        if (o.Resume && output.InterruptedJournals().FirstOrDefault(j => j != stage.JournalPath) is { } other)
        {
            throw ResumeJournal.OtherJob(o.OutputPath, other);
        }
        using var streamed = job.Streamed == job.Stage ? stage : Open(job.Streamed);
        var journal = new ResumeJournal(stage.JournalPath, job.Fingerprint + (job.Part is null ? "" : $"/shard {job.Part.Shard}"));
        var start = stage.Resuming ? journal.Read(job.OutputPath) : new ResumePoint(0, 0);
        // A journal without its partial file: killed after the journal began, before the file was made, or the file was
        // removed. Nothing of it is kept, so the job starts over.
        if (!File.Exists(stage.PartialPath)) start = new ResumePoint(0, 0);
        var schedule = TileSchedule.Create(job.Plan, job.Layout, job.Bands.Output.Length, job.Encoding.BlockWidth, o.StripBudgetBytes, start,
            job.StageRows.From, job.StageRows.To);
        var megapixels = job.Input.Width * (double)job.Input.Height / 1e6;
        TimeSpan copyTime = TimeSpan.Zero;
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
                using (RasterDataset.Create(stage.PartialPath, job.StageProfile, job.Resampled ? job.Encoding.Intermediate(job.Input.DataType) : job.Encoding.Streamed,
                    mask: !job.Resampled && job.Encoding.Mask)) { }
                KillPoint.Pass(KillPoint.Created);
            }
            var (figures, overviewTime) = Infer(job, schedule, stage, journal, validity, stages, buffers, network, start, progress, clock, cancellationToken);
            if (job.Resampled)
            {
                using var intermediate = RasterDataset.Open(stage.PartialPath);
                using var target = RasterDataset.Create(streamed.PartialPath, job.OutputProfile, job.Encoding.Streamed, job.Encoding.Mask);
                using var overviews = OverviewWriter.For(target, job.Overviews, created: true, buffers);
                using var pass = new ResamplePass(source, validity, intermediate, job.Scale, job.Bands, job.Encoders, buffers, progress, () => clock.Elapsed,
                    cancellationToken);
                pass.WriteAll(target, overviews, job.Width, job.Height, job.Encoding.BlockHeight, job.Encoding.BlockWidth, job.Rows);
                overviewTime = overviews?.Busy ?? TimeSpan.Zero;
            }
            if (job.Copied)
            {
                var step = Stopwatch.StartNew();
                OutputFinish.Copy(streamed.PartialPath, output.PartialPath, job.Encoding.Driver, job.Encoding.Copy!,
                    new StageProgress(progress, UpscaleStage.Copy, megapixels, () => clock.Elapsed), cancellationToken);
                copyTime = step.Elapsed;
            }
            output.Commit();
            if (stage != output) stage.Abandon();
            if (streamed != output) streamed.Abandon();
            return (figures, overviewTime, copyTime);
        }
        catch (Exception e) when (e is OperationCanceledException or RasterException { Retryable: true })
        {
            // Finished windows of the network's stage are in its partial file and journal: `--resume` continues from
            // there, after a cancel or once the server of a remote input answers again. The files after it are quick
            // to redo and go (a half-resampled output, a half-made copy).
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
    }

    /// <summary>
    /// The network's pass over the stage file, from <paramref name="start"/>, with its overviews unless a resample pass
    /// writes the output; and the time the overviews took.
    /// </summary>
    private static (StageFigures, TimeSpan Overviews) Infer(UpscaleJob job, TileSchedule schedule, OutputTarget stage, ResumeJournal journal,
        Validity validity, StagedJob stages, BufferOwner buffers, InferenceEngine network, ResumePoint start, IProgress<UpscaleProgress>? progress,
        Stopwatch clock, CancellationToken cancellationToken)
    {
        int blockHeight = job.Encoding.BlockHeight, blockWidth = job.Encoding.BlockWidth;
        using var target = ReopenPartial(stage, job.StageProfile, job.Encoding.Streamed.GetValueOrDefault("NUM_THREADS", "ALL_CPUS"));
        using var overviews = job.Resampled ? null : OverviewWriter.For(target, job.Overviews, created: start == new ResumePoint(0, 0), buffers);
        // Rows an interrupted run wrote are read back once, for the overview pixels they share with the rows to come.
        overviews?.Replay(schedule.Chunks.Where(c => c.FirstRow > job.Rows.From)
            .SelectMany(c => OutputBlocks.Pieces(Window.FromEdges(c.Left, job.Rows.From, c.Left + c.Width, c.FirstRow), blockHeight, blockWidth)),
            new StageProgress(progress, UpscaleStage.Overviews, job.Input.Width * (double)job.Input.Height / 1e6, () => clock.Elapsed), cancellationToken);
        var outputs = new StageOutputs(target, journal, blockHeight, blockWidth, job.Resampled ? 0 : job.Rows.From, OutputBlocks.HasMask(target), overviews);
        var done = schedule.Resumed;
        var total = schedule.Tiles.Count + schedule.Resumed;
        var inputMegapixels = job.Plan.Width * (double)job.Plan.Height / 1e6;
        var blended = new TileCounter(() => progress?.Report(
            new UpscaleProgress(++done, total, (double)done / Math.Max(1, total) * inputMegapixels, inputMegapixels, clock.Elapsed)));
        var figures = stages.Run(schedule, network, outputs, buffers, blended, cancellationToken);
        overviews?.Finish();
        return (figures, overviews?.Busy ?? TimeSpan.Zero);
    }

    /// <summary>What <c>satsr plan</c> decides for <paramref name="options"/>' job (the input's header is read, nothing else; see <see cref="ShardPlan.Choose"/>).</summary>
    public static ShardChoice? ChooseShards(UpscaleOptions options, int? count, double maxHalo = ShardPlan.DefaultMaxHalo)
    {
        if (options.OutScale is not null) return null;
        RasterProfile profile;
        using (var source = RasterDataset.Open(options.InputPath)) profile = source.Profile;
        var device = InferenceEngine.Resolve(options.Device);
        var network = Probe(options.Model, device);
        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var largest = options.TileSize ?? Planner.ShardTile(options, profile, network, device);
        return ShardPlan.Choose(profile.Width, profile.Height, options.EffectiveOverlap, options.Scale ?? network.Scale, options.Blend,
            encoding.BlockHeight, count, options.TileSize, largest, maxHalo);
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
