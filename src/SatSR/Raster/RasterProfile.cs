using SatSR.Geometry;

namespace SatSR.Raster;

/// <summary>Sample types SatSR reads and writes; the values are GDAL's codes.</summary>
public enum RasterDataType
{
    Byte = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Float64 = 7,
}

/// <summary>GDAL's colour interpretation of a band (values are GDAL's).</summary>
public enum ColorInterpretation
{
    Undefined = 0,
    Gray = 1,
    Palette = 2,
    Red = 3,
    Green = 4,
    Blue = 5,
    Alpha = 6,
    Hue = 7,
    Saturation = 8,
    Lightness = 9,
    Cyan = 10,
    Magenta = 11,
    Yellow = 12,
    Black = 13,
}

/// <summary>GDAL's mask flags (RFC 15): where a band's validity comes from.</summary>
[Flags]
public enum MaskFlags
{
    None = 0,
    AllValid = 1,
    PerDataset = 2,
    Alpha = 4,
    Nodata = 8,
}

/// <summary>How a band's overviews are computed from its pixels.</summary>
public enum OverviewResampling
{
    /// <summary>The mean of the valid pixels under each overview pixel: for continuous values.</summary>
    Average,

    /// <summary>One of the pixels under each overview pixel: for alpha and masks, whose values are codes, not amounts.</summary>
    Nearest,
}

/// <summary>A ground control point; Pixel/Line are corner-based image coordinates like the geotransform's.</summary>
public readonly record struct Gcp(string Id, string Info, double Pixel, double Line, double X, double Y, double Z);

public sealed record BandInfo(string Description, ColorInterpretation ColorInterpretation, double? Nodata, MaskFlags MaskFlags);

/// <summary>
/// Everything needed to create a dataset like another one (rasterio's profile). The output profile is the input's
/// <c>with</c> a new size and transform.
/// </summary>
public sealed record RasterProfile
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required RasterDataType DataType { get; init; }
    public required IReadOnlyList<BandInfo> Bands { get; init; }

    /// <summary>Null when the file has no geotransform.</summary>
    public GeoTransform? Transform { get; init; }

    /// <summary>WKT of the CRS; null when there is none.</summary>
    public string? Projection { get; init; }

    public IReadOnlyList<Gcp> Gcps { get; init; } = [];
    public string? GcpProjection { get; init; }

    /// <summary>Domain → KEY=VALUE lines; "" is the default domain, "RPC" holds RPCs when present.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Metadata { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// Significant bits the file declares (GDAL's NBITS, e.g. 11 or 12 for sensors stored in UInt16); null when it
    /// declares none. Read only: outputs are written at the type's full width.
    /// </summary>
    public int? BitDepth { get; init; }

    public int BlockWidth { get; init; } = 256;
    public int BlockHeight { get; init; } = 256;
    public string DriverName { get; init; } = "GTiff";
    public int BandCount => Bands.Count;

    /// <summary>The CRS's own name from its WKT (the text between the first quotes, of the GCPs' CRS when there is no other); null without one.</summary>
    public string? CrsName
    {
        get
        {
            var wkt = Projection ?? GcpProjection;
            if (string.IsNullOrWhiteSpace(wkt)) return null;
            var start = wkt.IndexOf('"');
            var end = start < 0 ? -1 : wkt.IndexOf('"', start + 1);
            return end > start ? wkt[(start + 1)..end] : wkt;
        }
    }
}
