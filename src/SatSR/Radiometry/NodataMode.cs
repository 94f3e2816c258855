namespace SatSR.Radiometry;

/// <summary>How the input's nodata is decided.</summary>
public enum NodataMode
{
    /// <summary>The file's nodata value or mask band; an 8-bit file with neither treats 0 as nodata.</summary>
    FromFile,

    /// <summary>Every input pixel is valid.</summary>
    None,

    /// <summary>Pixels whose bands all equal the value given (<c>--nodata V</c>) are nodata.</summary>
    Value,
}
