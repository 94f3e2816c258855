using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>The step after the full resolution (and its overviews) is written, shared by <c>upscale</c> and <c>merge</c>.</summary>
internal static class OutputFinish
{
    /// <summary>Copies the streamed GeoTIFF (with its overviews) to a COG at <paramref name="target"/>.</summary>
    public static void CopyCog(string streamed, string target, IReadOnlyDictionary<string, string> copy, IProgress<double> progress, CancellationToken ct)
    {
        using var written = RasterDataset.Open(streamed);
        written.CopyTo(target, "COG", copy, progress, ct);
    }
}
