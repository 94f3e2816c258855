namespace SatSR.Pipeline.Options;

/// <summary>The file format of the output.</summary>
public enum OutputFormat
{
    /// <summary>A tiled GeoTIFF, streamed block by block.</summary>
    GTiff,

    /// <summary>A Cloud-Optimized GeoTIFF: streamed as a GeoTIFF beside the output, then copied once by GDAL's COG driver.</summary>
    Cog,
}
