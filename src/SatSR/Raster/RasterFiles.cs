namespace SatSR.Raster;

/// <summary>Which files of a folder are rasters: by extension, so sidecars (.aux.xml, .msk, .ovr) and other files stay out.</summary>
public static class RasterFiles
{
    /// <summary>Extensions of the rasters taken from a folder (GeoTIFF, VRT, ERDAS Imagine, JPEG 2000, NITF).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".tif", ".tiff", ".vrt", ".img", ".jp2", ".ntf"];

    /// <summary>Whether <paramref name="path"/> has a raster's extension (in any case).</summary>
    public static bool IsRaster(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The rasters directly in <paramref name="folder"/> (not in its subfolders), sorted by name, so the order does not depend on the file system.</summary>
    public static IReadOnlyList<string> InFolder(string folder) =>
        Directory.EnumerateFiles(folder).Where(IsRaster).Order(StringComparer.Ordinal).ToList();
}
