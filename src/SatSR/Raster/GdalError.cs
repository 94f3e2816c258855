using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SatSR.Geometry;
using SatSR.Raster.Interop;

namespace SatSR.Raster;

/// <summary>
/// The one place GDAL failures become exceptions. GDAL reports through CPLError; our handler keeps GDAL from
/// printing (the library never writes to the console), remembers the last warning and passes warnings to whoever
/// listens (<see cref="GdalWarnings"/>); failures are read back with CPLGetLastErrorMsg right after the call that failed.
/// </summary>
internal static class GdalError
{
    [ThreadStatic] private static string? _lastWarning;
    [ThreadStatic] private static string? _file;
    [ThreadStatic] private static bool _answering;

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
        if (errorClass != GdalNative.CE_Warning) return;
        _lastWarning = Marshal.PtrToStringUTF8(message);
        if (!_answering && !string.IsNullOrWhiteSpace(_lastWarning)) GdalWarnings.Heard(_lastWarning.Trim().ReplaceLineEndings(" "), _file);
    }

    /// <summary>
    /// Until disposed, this thread's warnings are the answer of the call being made (read back with <see cref="LastWarning"/>,
    /// e.g. why GDAL refuses a creation option, which becomes SatSR's error), not news for <see cref="GdalWarnings"/>.
    /// </summary>
    public static AnswerScope Answering()
    {
        _answering = true;
        return default;
    }

    public readonly struct AnswerScope : IDisposable
    {
        public void Dispose() => _answering = false;
    }

    /// <summary>Names <paramref name="path"/> as the file this thread's GDAL calls are about until disposed, for the warnings they raise.</summary>
    public static FileScope About(string path)
    {
        var scope = new FileScope(_file);
        _file = path;
        return scope;
    }

    public readonly struct FileScope(string? previous) : IDisposable
    {
        public void Dispose() => _file = previous;
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

    /// <summary>
    /// Throws when writing, flushing or closing <paramref name="path"/> failed. libtiff reports a full disk only as
    /// "Write error", so the free space of the disk holding the file decides whether to say the disk is full: less
    /// than the largest single write (<paramref name="blockBytes"/>, one uncompressed block, or 1 MiB for a large
    /// file's tile index) means it is. Otherwise GDAL's reason stands alone.
    /// </summary>
    public static void ThrowIfWriteFailed(int cplErr, string path, string what, long blockBytes, Window? window = null)
    {
        if (cplErr < GdalNative.CE_Failure) return;
        var reason = LastMessage();
        var full = FreeSpace(path) is var (disk, free) && free < Math.Max(blockBytes, 1L << 20)
            ? $": no space left on the disk holding {disk} ({Size(free)} free)"
            : "";
        throw new RasterException(path, $"{what} failed{full} (GDAL: {reason})", window);
    }

    /// <summary>The mount point holding <paramref name="path"/> and its free bytes; null for GDAL's virtual files or when the system does not say.</summary>
    private static (string Disk, long Free)? FreeSpace(string path)
    {
        if (path.StartsWith("/vsi", StringComparison.Ordinal)) return null;
        try
        {
            var file = Path.GetFullPath(path);
            var drive = DriveInfo.GetDrives()
                .Where(d => file.StartsWith(Path.EndsInDirectorySeparator(d.Name) ? d.Name : d.Name + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .MaxBy(d => d.Name.Length);
            return drive is null ? null : (drive.Name, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MB"),
    };

    public static IntPtr ThrowIfNull(IntPtr handle, string path, string what)
    {
        if (handle == IntPtr.Zero) throw new RasterException(path, $"{what} failed: {LastMessage()}");
        return handle;
    }
}
