using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>The steps after the full resolution is written, shared by <c>upscale</c> and <c>merge</c>.</summary>
internal static class OutputFinish
{
    /// <summary>
    /// Adds overviews at <paramref name="factors"/> inside the GeoTIFF at <paramref name="path"/>: bands averaged over
    /// their valid pixels, each level from the one before (GDAL cascades), alpha bands (and masks) nearest.
    /// </summary>
    public static void BuildOverviews(string path, IReadOnlyList<int> factors, IProgress<double> progress, CancellationToken ct)
    {
        if (factors.Count == 0) return;
        // On all cores, as the full-resolution blocks were: the overview blocks compress on GDAL's threads, and the
        // blocks read back decompress on them.
        using var written = RasterDataset.OpenForUpdate(path, "NUM_THREADS=ALL_CPUS");
        var resampling = written.Profile.Bands
            .Select(b => b.ColorInterpretation == ColorInterpretation.Alpha ? OverviewResampling.Nearest : OverviewResampling.Average).ToList();
        written.BuildOverviews(factors, resampling, progress, ct);
    }

    /// <summary>Copies the streamed GeoTIFF (with its overviews) to a COG at <paramref name="target"/>.</summary>
    public static void CopyCog(string streamed, string target, IReadOnlyDictionary<string, string> copy, IProgress<double> progress, CancellationToken ct)
    {
        using var written = RasterDataset.Open(streamed);
        written.CopyTo(target, "COG", copy, progress, ct);
    }
}
