namespace SatSR.Pipeline.Output;

/// <summary>
/// The phases of a job: every job infers; an <c>--outscale</c> job then resamples to the exact size; a COG is then
/// copied from the streamed file. Overviews are built while the full resolution is written; <see cref="Overviews"/> is
/// a resumed job reading back the rows written before, for the overview pixels they share with the rest.
/// </summary>
public enum UpscaleStage
{
    Infer,
    Resample,
    Overviews,
    Copy,
}

/// <summary>
/// A snapshot of a running job: tiles inferred so far out of all planned (while resampling: output pieces written),
/// and input megapixels covered.
/// </summary>
public sealed record UpscaleProgress(int TilesDone, int TilesTotal, double InputMegapixelsDone, double InputMegapixelsTotal, TimeSpan Elapsed)
{
    public UpscaleStage Stage { get; init; } = UpscaleStage.Infer;
}

/// <summary>GDAL's fraction done of a whole-image step, reported as percent (TilesDone of 100) of <paramref name="stage"/>.</summary>
internal sealed class StageProgress(IProgress<UpscaleProgress>? progress, UpscaleStage stage, double megapixels, Func<TimeSpan> elapsed) : IProgress<double>
{
    public void Report(double value)
    {
        KillPoint.Pass(stage == UpscaleStage.Copy ? KillPoint.Copy : KillPoint.Overviews);
        progress?.Report(new UpscaleProgress((int)Math.Round(value * 100), 100, value * megapixels, megapixels, elapsed()) { Stage = stage });
    }
}

/// <summary>
/// What a finished job did and where its time went. <see cref="ScaleX"/> and <see cref="ScaleY"/> are the real
/// factors, output size over input size (with <c>--outscale</c> they differ slightly from F by the rounding to pixels).
/// </summary>
public sealed record UpscaleResult(
    string OutputPath,
    int Width,
    int Height,
    double ScaleX,
    double ScaleY,
    int TilesInferred,
    int TilesSkipped,
    string Device,
    TimeSpan Elapsed,
    TimeSpan ReadTime,
    TimeSpan InferTime,
    TimeSpan WriteTime)
{
    /// <summary>
    /// Consistency PSNR (dB, on the network's 0..1 scale) of the network's output: how closely area-averaging it by the
    /// scale gives the input back, over the valid pixels of the tiles' cores. NaN when nothing was inferred.
    /// </summary>
    public double ConsistencyBefore { get; init; } = double.NaN;

    /// <summary>The same for the written output (after blending, <c>--consistency</c> and rounding to the data type).</summary>
    public double ConsistencyAfter { get; init; } = double.NaN;

    /// <summary>The network's weight against bicubic the output was made with (<see cref="UpscaleOptions.ModelWeight"/>), measured or given.</summary>
    public double ModelWeight { get; init; } = 1;

    /// <summary>Time spent building overviews, in the pass that writes the output (part of <see cref="Elapsed"/>).</summary>
    public TimeSpan OverviewTime { get; init; }

    /// <summary>Time spent copying the streamed file into a COG (part of <see cref="Elapsed"/>).</summary>
    public TimeSpan CopyTime { get; init; }

    /// <summary>The core tile size the job ran with (given or chosen from the memory budget).</summary>
    public int TileSize { get; init; }

    /// <summary>Each pipeline stage's time at work (summed over its workers; stages overlap in time), in data-flow order.</summary>
    public IReadOnlyList<(string Stage, TimeSpan Time)> StageTimes { get; init; } = [];

    /// <summary>Tiles per runtime call.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>
    /// The most bytes of the job's buffers held at once (the stages' tiles, pieces and scratch, and the overview and
    /// resample passes' scratch), and the bytes the tile size was chosen for (memory budget over tiles in flight): a peak
    /// well above the budget means the tile sizing under-counts.
    /// </summary>
    public long BufferPeakBytes { get; init; }

    /// <inheritdoc cref="BufferPeakBytes"/>
    public long BufferBudgetBytes { get; init; }

    public double MegapixelsPerSecond(double inputMegapixels) => inputMegapixels / Math.Max(1e-9, Elapsed.TotalSeconds);
}
