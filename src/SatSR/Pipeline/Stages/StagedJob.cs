using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Dataflow;
using SatSR.Inference;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline.Stages;

/// <summary>What the stages read: the input and how its pixels become network input and output samples.</summary>
internal sealed record StageInputs(string Path, RasterProfile Profile, Validity Validity, BandSelection Bands, BandScale[] Scales,
    SampleEncoder[] Encoders, bool Tta, bool Consistency, BlendMode Blend);

/// <summary>
/// Where the stages write: the target file (holding output rows from <see cref="RowOffset"/> on), its blocks, journal
/// and the overviews built from what is written.
/// </summary>
internal sealed record StageOutputs(RasterDataset Target, ResumeJournal Journal, int BlockHeight, int BlockWidth, int RowOffset, bool Mask,
    OverviewWriter? Overviews = null);

/// <summary>What the stages of one job did; <see cref="Busy"/>: each stage's time at work, summed over its workers.</summary>
internal sealed record StageFigures(int Inferred, int Skipped, IReadOnlyList<(string Stage, TimeSpan Time)> Busy, SquaredError Before, SquaredError After)
{
    public TimeSpan Of(string stage) => Busy.First(b => b.Stage == stage).Time;
}

/// <summary>
/// The stages of one job, connected by bounded, order-keeping Dataflow blocks:
/// <code>
///   schedule → read (N) → prepare (N) → infer (1 engine, batches) → predict (N) → blend (1 strip) → encode (N) → write (1)
/// </code>
/// Parallel stages run up to <see cref="Workers"/> items at once, each worker with buffers (and GDAL handle) of its own;
/// every block keeps the order items came in, so blending adds tiles in schedule order and the writer gets blocks in
/// output order: the pixels do not depend on the worker count, the batch or the queue depth. At most
/// workers + <see cref="QueueDepth"/> items wait in or for each block, which bounds memory (docs/BENCHMARKS.md, "Memory").
/// A failure anywhere cancels every stage and is rethrown as it was. Cancelling stops the stages up to the prediction at
/// once; what was already blended is still encoded, written and recorded in the journal, so a resumed run loses nothing
/// that was done.
/// </summary>
internal sealed class StagedJob(int workers, int queueDepth)
{
    public int Workers { get; } = Math.Max(1, workers);
    public int QueueDepth { get; } = Math.Max(1, queueDepth);

    public StageFigures Run(TileSchedule schedule, StageInputs inputs, InferenceEngine engine, StageOutputs outputs, IProgress<int> blended, CancellationToken ct)
    {
        var plan = schedule.Plan;
        var scale = schedule.Scale;
        var read = plan.ReadWidth * plan.ReadHeight;
        var bandCount = inputs.Bands.Output.Length;
        var pieceLength = (long)bandCount * outputs.BlockHeight * OutputBlocks.MaxPieceLength(outputs.BlockWidth);

        var values = new BufferPool<double>((long)inputs.Profile.BandCount * read);
        var valid = new BufferPool<byte>(read);
        var tensors = new BufferPool<float>(engine.InputLength);
        var raw = new BufferPool<float>(engine.OutputLength);
        var predictions = new BufferPool<float>((long)read * scale * scale);
        var pieces = new BufferPool<float>(pieceLength);
        var samples = new BufferPool<byte>(pieceLength * RasterDataset.SizeOf(outputs.Target.Profile.DataType));
        var masks = new BufferPool<byte>(pieceLength / bandCount);

        EnsurePoolThreads(4 * Workers + 4);
        var readers = new List<TileReader>();
        var encoders = new List<PieceEncoder>();
        using var failed = new CancellationTokenSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct, failed.Token);
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                readers.Add(new TileReader(inputs.Path, inputs.Validity, values, valid));
                encoders.Add(new PieceEncoder(inputs.Path, inputs.Validity, inputs.Bands, inputs.Scales, inputs.Encoders, scale, outputs.Mask,
                    outputs.Target.Profile.DataType, samples, masks, pieces));
            }
            var readerPool = new Workers<TileReader>(readers);
            var encoderPool = new Workers<PieceEncoder>(encoders);
            var preparers = new Workers<TilePreparer>(Enumerable.Range(0, Workers)
                .Select(_ => new TilePreparer(inputs.Bands, inputs.Scales, engine.Channels, engine.Height, engine.Width, tensors, values)));
            var predictors = new Workers<TilePredictor>(Enumerable.Range(0, Workers)
                .Select(_ => new TilePredictor(inputs.Path, inputs.Bands, bandCount, engine.Scale, scale, engine.OutputChannels, engine.Height, engine.Width,
                    inputs.Consistency, predictions, tensors, raw, valid)));
            var inferrer = new TileInferrer(inputs.Path, engine, inputs.Tta, schedule.Tiles.Count, raw, cancel.Token);
            var blender = new StripBlender(schedule, BlendWeights.Create(plan, scale, inputs.Blend), bandCount, outputs.BlockHeight, outputs.BlockWidth,
                pieces, predictions, blended);
            var writer = new BlockWriter(outputs.Target, outputs.Journal, bandCount, outputs.RowOffset, samples, masks, outputs.Overviews);

            // A block cancelled by its token drops what it holds and completes its successor normally: the writing end
            // (blend, encode, write) listens to failures only, so on cancellation it drains what reached it.
            ExecutionDataflowBlockOptions Serial(CancellationToken token) =>
                new() { BoundedCapacity = 1 + QueueDepth, CancellationToken = token, SingleProducerConstrained = true };
            ExecutionDataflowBlockOptions Parallel(CancellationToken token) => new()
            {
                MaxDegreeOfParallelism = Workers, BoundedCapacity = Workers + QueueDepth, EnsureOrdered = true, CancellationToken = token,
                SingleProducerConstrained = true,
            };
            var readBlock = new TransformBlock<ScheduledTile, ReadTile>(t => readerPool.Use(r => r.Read(t)), Parallel(cancel.Token));
            var prepareBlock = new TransformBlock<ReadTile, PreparedTile>(t => preparers.Use(p => p.Prepare(t)), Parallel(cancel.Token));
            var inferBlock = new TransformManyBlock<PreparedTile, InferredTile>(inferrer.Add, Serial(cancel.Token));
            var predictBlock = new TransformBlock<InferredTile, PredictedTile>(t => predictors.Use(p => p.Predict(t)), Parallel(cancel.Token));
            var encodeBlock = new TransformBlock<WriteItem, WriteItem>(i => encoderPool.Use(e => e.Encode(i)), Parallel(failed.Token));
            // The blender sends its pieces itself, waiting for room in the encoders' queue before it copies out the next:
            // a TransformManyBlock would hold all pieces of a flush at once (a whole strip's rows).
            var blendBlock = new ActionBlock<PredictedTile>(async tile =>
            {
                foreach (var item in blender.Add(tile))
                {
                    if (!await encodeBlock.SendAsync(item, failed.Token).ConfigureAwait(false)) throw new OperationCanceledException(failed.Token);
                }
            }, Serial(failed.Token));
            var writeBlock = new ActionBlock<WriteItem>(writer.Write, Serial(failed.Token));
            var link = new DataflowLinkOptions { PropagateCompletion = true };
            readBlock.LinkTo(prepareBlock, link);
            prepareBlock.LinkTo(inferBlock, link);
            inferBlock.LinkTo(predictBlock, link);
            predictBlock.LinkTo(blendBlock, link);
            blendBlock.Completion.ContinueWith(t =>
            {
                if (t.IsFaulted) ((IDataflowBlock)encodeBlock).Fault(t.Exception!.InnerException!);
                else encodeBlock.Complete();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            encodeBlock.LinkTo(writeBlock, link);
            IDataflowBlock[] blocks = [readBlock, prepareBlock, inferBlock, predictBlock, blendBlock, encodeBlock, writeBlock];
            foreach (var block in blocks)
            {
                block.Completion.ContinueWith(_ => failed.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            var feed = Task.Run(async () =>
            {
                foreach (var tile in schedule.Tiles)
                {
                    if (!await readBlock.SendAsync(tile, cancel.Token).ConfigureAwait(false)) break;
                }
                readBlock.Complete();
            }, CancellationToken.None);
            Wait([feed, .. blocks.Select(b => b.Completion)], ct);
            // Cancelled up front, the writing end completed normally with what it had.
            ct.ThrowIfCancellationRequested();

            (string, TimeSpan)[] busy =
            [
                ("read", readerPool.Busy), ("prepare", preparers.Busy), ("infer", inferrer.Busy), ("predict", predictors.Busy),
                ("blend", blender.Busy), ("encode", encoderPool.Busy), ("write", writer.Busy),
            ];
            return new StageFigures(blender.Inferred, blender.Skipped, busy, blender.Consistency, writer.Consistency);
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
            foreach (var e in encoders) e.Dispose();
        }
    }

    /// <summary>
    /// Lets the thread pool run every stage's calls at once from the start: a call blocked in native code (ONNX Runtime,
    /// GDAL's compression) holds its thread, and beyond its minimum (the core count) the pool adds threads only gradually
    /// (a pixel-repeat scene 6–9 % slower with the default minimum; docs/BENCHMARKS.md, "Pipeline"). Only ever raised.
    /// </summary>
    private static void EnsurePoolThreads(int calls)
    {
        ThreadPool.GetMinThreads(out var worker, out var io);
        if (worker < calls) ThreadPool.SetMinThreads(calls, io);
    }

    /// <summary>
    /// Waits for every stage; rethrows the first failure that is not the cancellation it caused in the others, or the
    /// caller's cancellation.
    /// </summary>
    private static void Wait(Task[] tasks, CancellationToken ct)
    {
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException all)
        {
            var cause = all.Flatten().InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null) ExceptionDispatchInfo.Capture(cause).Throw();
            ct.ThrowIfCancellationRequested();
            throw;
        }
    }
}

/// <summary>
/// The workers of a parallel stage: a call borrows one and gives it back (a block runs at most as many calls at once as
/// there are workers), and the time calls take is summed.
/// </summary>
internal sealed class Workers<T>(IEnumerable<T> workers)
{
    private readonly System.Collections.Concurrent.ConcurrentBag<T> _idle = [.. workers];
    private long _ticks;

    /// <summary>Time spent in calls, summed over the workers.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public TOut Use<TOut>(Func<T, TOut> work)
    {
        if (!_idle.TryTake(out var worker)) throw new InvalidOperationException("more calls at once than workers");
        var start = Stopwatch.GetTimestamp();
        try
        {
            return work(worker);
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(start).Ticks);
            _idle.Add(worker);
        }
    }
}
