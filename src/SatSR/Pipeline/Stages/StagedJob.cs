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
/// A failure anywhere stops every stage and is rethrown as it was. Cancelling stops the stages up to the prediction at
/// once; what was already blended is still encoded, written and recorded in the journal, so a resumed run loses nothing
/// that was done. The stages' buffers are leased from the job's <see cref="BufferOwner"/> (<see cref="Owner"/>), and all
/// are given back when <see cref="Run"/> returns or throws.
/// </summary>
/// <param name="job">what the stages do: the input, its bands and how they map, the scale, the blend, the workers</param>
/// <param name="validity">which input pixels are valid, read through each reader's own handle</param>
/// <param name="weight">the network's weight against bicubic (<see cref="ModelWeightMeasure"/>)</param>
internal sealed class StagedJob(UpscaleJob job, Validity validity, float weight)
{
    public int Workers { get; } = Math.Max(1, job.Workers);
    public int QueueDepth { get; } = Math.Max(1, job.Options.QueueDepth);

    /// <summary>
    /// The owner of a job's buffers, with the budget the tile size was chosen for (Upscaler.ChooseTile), for this tile,
    /// batch and queue. Made once per job: the writers after the stages lease from it too.
    /// </summary>
    public BufferOwner Owner(InferenceEngine engine) =>
        new((long)job.Plan.ReadWidth * job.Plan.ReadHeight * TilesInFlight(engine) * TileSizing.PipelineBytesPerPixel(job.Input.BandCount,
            job.Bands.Groups.Length, engine.Channels, engine.OutputChannels, engine.Scale));

    public StageFigures Run(TileSchedule schedule, InferenceEngine engine, StageOutputs outputs, BufferOwner buffers, IProgress<int> blended, CancellationToken ct)
    {
        var plan = schedule.Plan;
        var scale = schedule.Scale;
        var path = job.Options.InputPath;
        var read = plan.ReadWidth * plan.ReadHeight;
        var bandCount = job.Bands.Output.Length;
        var pieceLength = (long)bandCount * outputs.BlockHeight * OutputBlocks.MaxPieceLength(outputs.BlockWidth);

        var samples = buffers.Pool<byte>(pieceLength * RasterDataset.SizeOf(outputs.Target.Profile.DataType));
        var masks = outputs.Mask ? buffers.Pool<byte>(pieceLength / bandCount) : null;

        EnsurePoolThreads(4 * Workers + 4);
        var workersToDispose = new List<IDisposable>();
        T Worker<T>(T worker) where T : IDisposable
        {
            workersToDispose.Add(worker);
            return worker;
        }
        using var failed = new CancellationTokenSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct, failed.Token);
        Exception? failure = null;
        try
        {
            var values = buffers.Pool<double>((long)job.Input.BandCount * read);
            var valid = buffers.Pool<byte>(read);
            var tensors = buffers.Pool<float>(engine.InputLength);
            var readers = new WorkerPool<TileReader>(Enumerable.Range(0, Workers)
                .Select(_ => Worker(new TileReader(path, validity, values, valid))).ToList());
            var encoders = new WorkerPool<PieceEncoder>(Enumerable.Range(0, Workers)
                .Select(_ => Worker(new PieceEncoder(path, validity, job.Bands, job.Scales, job.Encoders, scale,
                    outputs.Target.Profile.DataType, samples, masks, buffers))).ToList());
            var preparers = new WorkerPool<TilePreparer>(Enumerable.Range(0, Workers)
                .Select(_ => Worker(new TilePreparer(job.Bands, job.Scales, engine.Channels, engine.Height, engine.Width, tensors, buffers))).ToList());
            var predictors = new WorkerPool<TilePredictor>(Enumerable.Range(0, Workers)
                .Select(_ => Worker(new TilePredictor(path, job.Bands, bandCount, engine.Scale, scale, engine.OutputChannels, engine.Height,
                    engine.Width, job.Options.Consistency, weight, buffers))).ToList());
            var inferrer = Worker(new TileInferrer(path, engine, job.Options.Tta, schedule.Tiles.Count, buffers.Pool<float>(engine.OutputLength),
                buffers.Pool<double>(engine.OutputLength), cancel.Token));
            var blender = new StripBlender(schedule, BlendWeights.Create(plan, scale, job.Options.Blend), bandCount, outputs.BlockHeight, outputs.BlockWidth,
                buffers.Pool<float>(pieceLength), blended);
            var writer = new BlockWriter(outputs.Target, outputs.Journal, bandCount, outputs.RowOffset, outputs.Overviews);

            // No block has a cancellation token: a cancelled block drops the items it holds, and with them their leases.
            // Each call instead takes its item whatever happens: it runs the stage while the job goes on, or only gives
            // the item back once it stops (a stage that fails gives back what it holds itself). The first failure is
            // kept and stops every stage; the writing end (blend, encode, write) stops on failures only, so on
            // cancellation it drains what reached it. A stage with nothing to hand on sends null, which the next passes on.
            void Fail(Exception e)
            {
                if (e is OperationCanceledException && cancel.IsCancellationRequested) return;
                Interlocked.CompareExchange(ref failure, e, null);
                failed.Cancel();
            }
            TOut? Take<TIn, TOut>(TIn? item, CancellationToken stop, Func<TIn, TOut?> work) where TIn : class where TOut : class
            {
                if (item is null) return null;
                if (stop.IsCancellationRequested)
                {
                    (item as IDisposable)?.Dispose();
                    return null;
                }
                try
                {
                    return work(item);
                }
                catch (Exception e)
                {
                    Fail(e);
                    return null;
                }
            }
            ExecutionDataflowBlockOptions Serial() => new() { BoundedCapacity = 1 + QueueDepth, SingleProducerConstrained = true };
            ExecutionDataflowBlockOptions Parallel() => new()
            {
                MaxDegreeOfParallelism = Workers, BoundedCapacity = Workers + QueueDepth, EnsureOrdered = true, SingleProducerConstrained = true,
            };
            // The stages' calls, made once (not a delegate per item).
            Func<ScheduledTile, ReadTile> readTile = t => readers.Use(r => r.Read(t));
            Func<ReadTile, PreparedTile> prepare = t => preparers.Use(p => p.Prepare(t));
            Func<PreparedTile, IEnumerable<InferredTile>> infer = inferrer.Add;
            Func<InferredTile, PredictedTile> predict = t => predictors.Use(p => p.Predict(t));
            Func<WriteItem, WriteItem> encode = i => encoders.Use(e => e.Encode(i));
            Func<WriteItem, WriteItem> write = i =>
            {
                writer.Write(i);
                return i;
            };
            var readBlock = new TransformBlock<ScheduledTile, ReadTile?>(t => Take(t, cancel.Token, readTile), Parallel());
            var prepareBlock = new TransformBlock<ReadTile?, PreparedTile?>(t => Take(t, cancel.Token, prepare), Parallel());
            var inferBlock = new TransformManyBlock<PreparedTile?, InferredTile>(t => Take(t, cancel.Token, infer) ?? [], Serial());
            var predictBlock = new TransformBlock<InferredTile, PredictedTile?>(t => Take(t, cancel.Token, predict), Parallel());
            var encodeBlock = new TransformBlock<WriteItem?, WriteItem?>(i => Take(i, failed.Token, encode), Parallel());
            // The blender sends its pieces itself, waiting for room in the encoders' queue before it copies out the next:
            // a TransformManyBlock would hold all pieces of a flush at once (a whole strip's rows).
            var blendBlock = new ActionBlock<PredictedTile?>(async tile =>
            {
                if (Take(tile, failed.Token, t => t) is not { } taken) return;
                try
                {
                    foreach (var item in blender.Add(taken))
                    {
                        var sent = false;
                        try
                        {
                            sent = await encodeBlock.SendAsync(item, failed.Token).ConfigureAwait(false);
                        }
                        finally
                        {
                            if (!sent) item.Dispose();
                        }
                        if (!sent) throw new OperationCanceledException(failed.Token);
                    }
                }
                catch (Exception e)
                {
                    Fail(e);
                }
            }, Serial());
            var writeBlock = new ActionBlock<WriteItem?>(i => Take(i, failed.Token, write), Serial());
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
            // A block faults only through a bug above (a stage's failure is taken in its call): the others still stop.
            foreach (var block in blocks)
            {
                block.Completion.ContinueWith(_ => failed.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            var feed = Task.Run(async () =>
            {
                try
                {
                    foreach (var tile in schedule.Tiles)
                    {
                        if (!await readBlock.SendAsync(tile, cancel.Token).ConfigureAwait(false)) break;
                    }
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    // Stopped: the tiles not sent are not read.
                }
                finally
                {
                    readBlock.Complete();
                }
            }, CancellationToken.None);
            Wait([feed, .. blocks.Select(b => b.Completion)], ct);
            if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
            // Cancelled up front, the writing end completed normally with what it had.
            ct.ThrowIfCancellationRequested();

            (string, TimeSpan)[] busy =
            [
                ("read", readers.Busy), ("prepare", preparers.Busy), ("infer", inferrer.Busy), ("predict", predictors.Busy),
                ("blend", blender.Busy), ("encode", encoders.Busy), ("write", writer.Busy),
            ];
            return new StageFigures(blender.Inferred, blender.Skipped, busy, blender.Consistency, writer.Consistency);
        }
        finally
        {
            foreach (var worker in workersToDispose) worker.Dispose();
        }
    }

    /// <summary>Tiles in flight at once, as the tile size was chosen (<see cref="TileSizing.TilesInFlight"/>).</summary>
    private int TilesInFlight(InferenceEngine engine) => TileSizing.TilesInFlight(engine.Batch, Workers, QueueDepth);

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
internal sealed class WorkerPool<T>(IEnumerable<T> workers)
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
