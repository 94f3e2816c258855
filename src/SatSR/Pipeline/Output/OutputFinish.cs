using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>The step after the full resolution (and its overviews) is written, shared by <c>upscale</c> and <c>merge</c>.</summary>
internal static class OutputFinish
{
    /// <summary>Copies the streamed GeoTIFF (with its overviews) to <paramref name="target"/> with <paramref name="driver"/> (COG or GTiff).</summary>
    public static void Copy(string streamed, string target, string driver, IReadOnlyDictionary<string, string> copy, IProgress<double> progress,
        CancellationToken ct)
    {
        using var written = RasterDataset.Open(streamed);
        written.CopyTo(target, driver, copy, progress, ct);
    }
}
