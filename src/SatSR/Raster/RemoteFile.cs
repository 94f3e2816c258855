using SatSR.Raster.Interop;

namespace SatSR.Raster;

/// <summary>What a server says identifies a file: its size, and its ETag and Last-Modified when it sends them.</summary>
public sealed record RemoteIdentity(long Size, string? ETag, string? LastModified)
{
    public override string ToString() => $"size={Size} etag={ETag} last-modified={LastModified}";
}

/// <summary>
/// Inputs GDAL reads over the network (/vsicurl/ with HTTP range requests, /vsis3/ and the other cloud file systems):
/// how a URL becomes a GDAL path, the settings remote reads get unless the user gave their own, and the file's identity
/// as its server states it.
/// </summary>
public static class RemoteFile
{
    private static readonly string[] NetworkFileSystems =
        ["/vsicurl/", "/vsicurl?", "/vsis3/", "/vsigs/", "/vsiaz/", "/vsiadls/", "/vsioss/", "/vsiswift/", "/vsiwebhdfs/"];

    /// <summary>
    /// GDAL's settings for remote reads, applied where neither the environment nor <c>--config</c> set them.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Defaults { get; } =
    [
        // Else opening a GeoTIFF without internal overviews lists its folder (a GET of the folder) and asks for 15
        // possible sidecars (.ovr, .aux.xml, .tfw…), one request each (GDAL 3.6).
        ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR"),
        // Each tile reader has its own GDAL handle, so its own decoded blocks; the compressed bytes one reader downloaded
        // (halo rows its neighbour reads too) are shared through /vsicurl/'s cache, 16 MB unless raised.
        ("CPL_VSIL_CURL_CACHE_SIZE", "134217728"),
        // A busy server (429, 500, 502–504) is asked again after 1 s, then after about twice as long each time; GDAL
        // 3.6's own default is no retry, and 30 s between tries.
        ("GDAL_HTTP_MAX_RETRY", "5"),
        ("GDAL_HTTP_RETRY_DELAY", "1"),
    ];

    private static readonly Lazy<bool> DefaultsApplied = new(() =>
    {
        foreach (var (name, value) in Defaults) Gdal.SetConfigDefault(name, value);
        return true;
    });

    /// <summary>True for a GDAL path read over the network, chained ones (/vsizip//vsicurl/…) included.</summary>
    public static bool IsRemote(string path) =>
        path.StartsWith("/vsi", StringComparison.Ordinal) && NetworkFileSystems.Any(fs => path.Contains(fs, StringComparison.Ordinal));

    /// <summary>An http(s):// URL as GDAL reads it with range requests (/vsicurl/URL); any other path unchanged.</summary>
    public static string GdalPath(string input) =>
        input.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || input.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? "/vsicurl/" + input
            : input;

    /// <summary>Applies <see cref="Defaults"/> once per process, before the first remote file is opened.</summary>
    public static void UseDefaults() => _ = DefaultsApplied.Value;

    /// <summary>
    /// The size GDAL finds (a HEAD or a first ranged GET) and the ETag and Last-Modified headers of the server's answer;
    /// a file the server does not have fails with one line naming it.
    /// </summary>
    public static RemoteIdentity Identify(string path)
    {
        GdalError.EnsureInitialised();
        UseDefaults();
        GdalNative.CPLErrorReset();
        var file = GdalNative.VSIFOpenL(path, "rb");
        if (file == IntPtr.Zero) throw new RasterException(path, $"cannot reach the file ({GdalError.LastMessage()})");
        long size;
        try
        {
            size = GdalNative.VSIFSeekL(file, 0, GdalNative.SEEK_END) == 0 ? (long)GdalNative.VSIFTellL(file) : -1;
        }
        finally
        {
            GdalNative.VSIFCloseL(file);
        }
        var list = GdalNative.VSIGetFileMetadata(path, "HEADERS", IntPtr.Zero);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var item in GdalNative.StringList(list))
            {
                var eq = item.IndexOf('=');
                if (eq > 0) headers[item[..eq]] = item[(eq + 1)..];
            }
        }
        finally
        {
            GdalNative.CSLDestroy(list);
        }
        return new RemoteIdentity(size, headers.GetValueOrDefault("ETag"), headers.GetValueOrDefault("Last-Modified"));
    }
}
