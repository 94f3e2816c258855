namespace SatSR.Pipeline;

/// <summary>A snapshot of a running job: tiles inferred so far out of all planned, and input megapixels covered.</summary>
public sealed record UpscaleProgress(int TilesDone, int TilesTotal, double InputMegapixelsDone, double InputMegapixelsTotal, TimeSpan Elapsed);

/// <summary>What a finished job did and where its time went.</summary>
public sealed record UpscaleResult(
    string OutputPath,
    int Width,
    int Height,
    int Scale,
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
