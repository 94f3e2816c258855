using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SatSR.Geometry;

namespace SatSR.Raster.Interop;

/// <summary>
/// The one place GDAL failures become exceptions. GDAL reports through CPLError; our handler keeps GDAL from
/// printing (the library never writes to the console) and remembers the last warning; failures are read back
/// with CPLGetLastErrorMsg right after the call that failed.
/// </summary>
internal static class GdalError
{
    [ThreadStatic] private static string? _lastWarning;

    /// <summary>The last warning GDAL raised on this thread (they are not printed).</summary>
    public static string? LastWarning => _lastWarning;

    /// <summary>Forgets the last warning, so that the next call's own warning can be told apart.</summary>
    public static void ClearWarning() => _lastWarning = null;

    private static readonly Lazy<bool> Initialised = new(() =>
    {
        unsafe { GdalNative.CPLSetErrorHandler(&Handler); }
        GdalNative.GDALAllRegister();
        return true;
    });

    /// <summary>Registers drivers and silences GDAL's console output, once, thread-safely.</summary>
    public static void EnsureInitialised() => _ = Initialised.Value;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Handler(int errorClass, int errorNumber, IntPtr message)
    {
        if (errorClass == GdalNative.CE_Warning) _lastWarning = Marshal.PtrToStringUTF8(message);
    }

    public static string LastMessage()
    {
        var message = GdalNative.Utf8(GdalNative.CPLGetLastErrorMsg());
        return string.IsNullOrWhiteSpace(message) ? "GDAL gave no reason" : message.Trim().ReplaceLineEndings(" ");
    }

    public static void ThrowIfFailed(int cplErr, string path, string what, Window? window = null)
    {
        if (cplErr >= GdalNative.CE_Failure) throw new RasterException(path, $"{what} failed: {LastMessage()}", window);
    }

    public static IntPtr ThrowIfNull(IntPtr handle, string path, string what)
    {
        if (handle == IntPtr.Zero) throw new RasterException(path, $"{what} failed: {LastMessage()}");
        return handle;
    }
}
