namespace SatSR.Pipeline;

/// <summary>The phases of a job: every job infers; an <c>--outscale</c> job then resamples to the exact size.</summary>
public enum UpscaleStage
{
    Infer,
    Resample,
}

/// <summary>
/// A snapshot of a running job: tiles inferred so far out of all planned (while resampling: output pieces written),
/// and input megapixels covered.
/// </summary>
public sealed record UpscaleProgress(int TilesDone, int TilesTotal, double InputMegapixelsDone, double InputMegapixelsTotal, TimeSpan Elapsed)
{
    public UpscaleStage Stage { get; init; } = UpscaleStage.Infer;
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

    public double MegapixelsPerSecond(double inputMegapixels) => inputMegapixels / Math.Max(1e-9, Elapsed.TotalSeconds);
}
