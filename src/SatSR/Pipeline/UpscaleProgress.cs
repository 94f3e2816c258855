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
    public double MegapixelsPerSecond(double inputMegapixels) => inputMegapixels / Math.Max(1e-9, Elapsed.TotalSeconds);
}
