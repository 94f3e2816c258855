using SatSR.Raster.Interop;

namespace SatSR.Raster;

/// <summary>Process-wide GDAL facts and settings.</summary>
public static class Gdal
{
    public static string Version
    {
        get
        {
            GdalError.EnsureInitialised();
            return GdalNative.Utf8(GdalNative.GDALVersionInfo("RELEASE_NAME")) ?? "unknown";
        }
    }

    /// <summary>GDAL's block cache size in bytes (GDAL_CACHEMAX).</summary>
    public static void SetCacheMax(long bytes)
    {
        GdalError.EnsureInitialised();
        GdalNative.GDALSetCacheMax64(bytes);
    }

    /// <summary>Sets a GDAL configuration option for the whole process, every thread (like GDAL's tools' --config).</summary>
    public static void SetConfig(string name, string value)
    {
        GdalError.EnsureInitialised();
        GdalNative.CPLSetConfigOption(name, value);
    }

    /// <summary>Sets a configuration option for the whole process unless it has a value already (an environment variable or --config).</summary>
    public static void SetConfigDefault(string name, string value)
    {
        GdalError.EnsureInitialised();
        if (GdalNative.CPLGetConfigOption(name, null) == IntPtr.Zero) GdalNative.CPLSetConfigOption(name, value);
    }

    /// <summary>
    /// GDAL's own complaint about <paramref name="options"/> as creation options of <paramref name="driver"/> (a name the
    /// driver does not know, a value outside its list), or null when it accepts them.
    /// </summary>
    public static string? CreationOptionsProblem(string driver, IReadOnlyDictionary<string, string> options)
    {
        GdalError.EnsureInitialised();
        var handle = GdalNative.GDALGetDriverByName(driver);
        if (handle == IntPtr.Zero) return $"GDAL has no {driver} driver";
        using var list = new NativeStringList(options.Select(kv => $"{kv.Key}={kv.Value}"));
        GdalError.ClearWarning();
        using var answering = GdalError.Answering();
        return GdalNative.GDALValidateCreationOptions(handle, list.Pointer) != 0 ? null : GdalError.LastWarning ?? $"the {driver} driver refused them";
    }

    /// <summary>The last warning GDAL raised on this thread; GDAL never prints them.</summary>
    public static string? LastWarning => GdalError.LastWarning;
}

/// <summary>
/// Sets a GDAL configuration option for this thread and restores the previous value on dispose (like rasterio.Env).
/// </summary>
public sealed class GdalConfigScope : IDisposable
{
    private readonly string _key;
    private readonly string? _previous;

    public GdalConfigScope(string key, string? value)
    {
        GdalError.EnsureInitialised();
        _key = key;
        _previous = GdalNative.Utf8(GdalNative.CPLGetConfigOption(key, null));
        GdalNative.CPLSetThreadLocalConfigOption(key, value);
    }

    public void Dispose() => GdalNative.CPLSetThreadLocalConfigOption(_key, _previous);
}
