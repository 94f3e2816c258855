using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SatSR.Raster.Interop;

/// <summary>
/// The GDAL C API functions SatSR calls. Hand-written because no GDAL binding package is reachable from this
/// project's NuGet feed; kept to the few dozen functions actually used. Each signature follows GDAL 3.6.2's gdal.h,
/// gdal_alg.h and cpl_*.h (a mismatched return type reads a garbage register, silently).
/// </summary>
internal static partial class GdalNative
{
    private const string Lib = "gdal";

    /// <summary>The loaded GDAL, for the exports whose signature depends on its version.</summary>
    private static IntPtr _library;

    static GdalNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(GdalNative).Assembly, Resolve);
    }

    /// <summary>Debian 12 ships libgdal.so.32; other distributions use other sonames, and SATSR_GDAL_LIBRARY overrides.</summary>
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("SATSR_GDAL_LIBRARY") is { Length: > 0 } custom) candidates.Add(custom);
        candidates.Add("libgdal.so.32");
        for (var soname = 30; soname <= 40; soname++) candidates.Add($"libgdal.so.{soname}");
        candidates.AddRange(["libgdal.so", "libgdal.dylib", "gdal.dll"]);
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle)) return _library = handle;
        }
        throw new DllNotFoundException("GDAL was not found (tried libgdal.so.32 and other sonames): install it with `apt-get install libgdal32`, or set SATSR_GDAL_LIBRARY");
    }

    public const int GF_Read = 0, GF_Write = 1;
    public const uint GDAL_OF_READONLY = 0x00, GDAL_OF_UPDATE = 0x01, GDAL_OF_RASTER = 0x02, GDAL_OF_VERBOSE_ERROR = 0x40;
    public const int CE_None = 0, CE_Warning = 2, CE_Failure = 3, CE_Fatal = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct GdalGcp
    {
        public IntPtr Id;
        public IntPtr Info;
        public double Pixel, Line, X, Y, Z;
    }

    [LibraryImport(Lib)] public static partial void GDALAllRegister();
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALVersionInfo(string request);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALOpenEx(string path, uint flags, IntPtr drivers, IntPtr options, IntPtr siblings);
    [LibraryImport(Lib)] private static partial void GDALClose(IntPtr dataset);
    [LibraryImport(Lib)] private static partial void GDALFlushCache(IntPtr dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterXSize(IntPtr dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterYSize(IntPtr dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterCount(IntPtr dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetRasterBand(IntPtr dataset, int band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDatasetDriver(IntPtr dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetFileList(IntPtr dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDriverShortName(IntPtr driver);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALGetDriverByName(string name);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALCreate(IntPtr driver, string path, int width, int height, int bands, int type, IntPtr options);

    [LibraryImport(Lib)] public static partial int GDALGetGeoTransform(IntPtr dataset, [Out] double[] transform);
    [LibraryImport(Lib)] public static partial int GDALSetGeoTransform(IntPtr dataset, double[] transform);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetProjectionRef(IntPtr dataset);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int GDALSetProjection(IntPtr dataset, string wkt);
    [LibraryImport(Lib)] public static partial int GDALGetGCPCount(IntPtr dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetGCPs(IntPtr dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetGCPProjection(IntPtr dataset);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int GDALSetGCPs(IntPtr dataset, int count, GdalGcp[] gcps, string projection);

    [LibraryImport(Lib)] public static partial IntPtr GDALGetMetadataDomainList(IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALGetMetadata(IntPtr handle, string? domain);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALGetMetadataItem(IntPtr handle, string name, string? domain);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int GDALSetMetadata(IntPtr handle, IntPtr list, string? domain);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDescription(IntPtr handle);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial void GDALSetDescription(IntPtr handle, string description);
    [LibraryImport(Lib)] public static partial void CSLDestroy(IntPtr list);

    [LibraryImport(Lib)] public static partial int GDALGetRasterDataType(IntPtr band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDataTypeName(int type);
    [LibraryImport(Lib)] public static partial int GDALGetDataTypeSizeBytes(int type);
    [LibraryImport(Lib)] public static partial double GDALGetRasterNoDataValue(IntPtr band, out int success);
    [LibraryImport(Lib)] public static partial int GDALSetRasterNoDataValue(IntPtr band, double value);
    [LibraryImport(Lib)] public static partial int GDALGetRasterColorInterpretation(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALSetRasterColorInterpretation(IntPtr band, int interpretation);
    [LibraryImport(Lib)] public static partial int GDALGetMaskFlags(IntPtr band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetMaskBand(IntPtr band);
    [LibraryImport(Lib)] public static partial void GDALGetBlockSize(IntPtr band, out int x, out int y);

    [LibraryImport(Lib)]
    public static unsafe partial int GDALDatasetRasterIOEx(IntPtr dataset, int rw, int x, int y, int width, int height, void* buffer,
        int bufferWidth, int bufferHeight, int type, int bandCount, int* bandMap, long pixelSpace, long lineSpace, long bandSpace, IntPtr extra);

    [LibraryImport(Lib)]
    public static unsafe partial int GDALRasterIOEx(IntPtr band, int rw, int x, int y, int width, int height, void* buffer,
        int bufferWidth, int bufferHeight, int type, long pixelSpace, long lineSpace, IntPtr extra);

    [LibraryImport(Lib)] public static unsafe partial int GDALExtractRPCInfoV2(IntPtr metadata, double* rpcInfo);
    [LibraryImport(Lib)] public static unsafe partial IntPtr GDALCreateRPCTransformerV2(double* rpcInfo, int reversed, double pixelErrorThreshold, IntPtr options);
    [LibraryImport(Lib)] public static unsafe partial int GDALRPCTransform(IntPtr transformer, int destinationToSource, int count, double* x, double* y, double* z, int* success);
    [LibraryImport(Lib)] public static partial void GDALDestroyRPCTransformer(IntPtr transformer);

    [LibraryImport(Lib)] public static partial void GDALSetCacheMax64(long bytes);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr CPLGetConfigOption(string key, string? fallback);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial void CPLSetThreadLocalConfigOption(string key, string? value);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial void CPLSetConfigOption(string key, string? value);
    [LibraryImport(Lib)] public static partial IntPtr CPLGetLastErrorMsg();
    [LibraryImport(Lib)] public static partial int CPLGetLastErrorType();
    [LibraryImport(Lib)] public static partial void CPLErrorReset();
    [LibraryImport(Lib)] public static unsafe partial IntPtr CPLSetErrorHandler(delegate* unmanaged[Cdecl]<int, int, IntPtr, void> handler);

    /// <summary>
    /// GDALFlushCache and GDALClose return void up to GDAL 3.6 and CPLErr from 3.7 (RFC 91). A void function leaves
    /// garbage in the return register, so the loaded version decides how they are called: GDAL ≥ 3.7's exports
    /// through an int-returning pointer, older ones through the void imports above.
    /// </summary>
    private static readonly Lazy<(IntPtr Flush, IntPtr Close)?> CplErrReturning = new(() =>
        int.Parse(Utf8(GDALVersionInfo("VERSION_NUM")) ?? "0", CultureInfo.InvariantCulture) >= 3070000
            ? (NativeLibrary.GetExport(_library, nameof(GDALFlushCache)), NativeLibrary.GetExport(_library, nameof(GDALClose)))
            : null);

    /// <summary>GDALFlushCache; returns its CPLErr.</summary>
    public static unsafe int FlushCache(IntPtr dataset) => Checked(dataset, &GDALFlushCache, CplErrReturning.Value?.Flush);

    /// <summary>GDALClose; returns its CPLErr.</summary>
    public static unsafe int Close(IntPtr dataset) => Checked(dataset, &GDALClose, CplErrReturning.Value?.Close);

    /// <summary>The call's CPLErr: its return value from GDAL 3.7, the error state it left (reset first) before.</summary>
    private static unsafe int Checked(IntPtr dataset, delegate*<IntPtr, void> voidCall, IntPtr? cplErrCall)
    {
        CPLErrorReset();
        if (cplErrCall is { } call) return ((delegate* unmanaged<IntPtr, int>)call)(dataset);
        voidCall(dataset);
        return CPLGetLastErrorType();
    }

    // Overviews, masks and copies (GDALProgressFunc is int(double complete, const char* message, void* data)).
    public const int GMF_PER_DATASET = 0x02;

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int GDALBuildOverviews(IntPtr dataset, string resampling, int overviewCount, int* factors, int bandCount, int* bands,
        delegate* unmanaged[Cdecl]<double, IntPtr, IntPtr, int> progress, IntPtr progressData);


    [LibraryImport(Lib)] public static partial int GDALGetOverviewCount(IntPtr band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetOverview(IntPtr band, int index);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetBandDataset(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALGetRasterBandXSize(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALGetRasterBandYSize(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALCreateDatasetMaskBand(IntPtr dataset, int flags);
    [LibraryImport(Lib)] public static partial int GDALValidateCreationOptions(IntPtr driver, IntPtr options);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial IntPtr GDALCreateCopy(IntPtr driver, string path, IntPtr source, int strict, IntPtr options,
        delegate* unmanaged[Cdecl]<double, IntPtr, IntPtr, int> progress, IntPtr progressData);

    // GDAL's virtual file system (cpl_vsi.h): vsi_l_offset is unsigned 64-bit; VSIGetFileMetadata's list is the caller's to free.
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr VSIFOpenL(string path, string access);
    [LibraryImport(Lib)] public static partial int VSIFSeekL(IntPtr file, ulong offset, int whence);
    [LibraryImport(Lib)] public static partial ulong VSIFTellL(IntPtr file);
    [LibraryImport(Lib)] public static partial int VSIFCloseL(IntPtr file);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr VSIGetFileMetadata(string path, string domain, IntPtr options);
    public const int SEEK_END = 2;

    public static string? Utf8(IntPtr p) => p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);

    /// <summary>Reads a NULL-terminated char** list (not freed).</summary>
    public static List<string> StringList(IntPtr list)
    {
        var result = new List<string>();
        if (list == IntPtr.Zero) return result;
        for (var i = 0; ; i++)
        {
            var item = Marshal.ReadIntPtr(list, i * IntPtr.Size);
            if (item == IntPtr.Zero) return result;
            result.Add(Marshal.PtrToStringUTF8(item)!);
        }
    }
}

/// <summary>A NULL-terminated char** built from managed strings, freed on dispose.</summary>
internal sealed class NativeStringList : IDisposable
{
    private readonly IntPtr[] _items;

    public NativeStringList(IEnumerable<string> items)
    {
        var strings = items.Select(Marshal.StringToCoTaskMemUTF8).ToList();
        _items = [.. strings, IntPtr.Zero];
        Pointer = Marshal.AllocHGlobal(IntPtr.Size * _items.Length);
        Marshal.Copy(_items, 0, Pointer, _items.Length);
    }

    public IntPtr Pointer { get; }

    public void Dispose()
    {
        foreach (var item in _items) Marshal.FreeCoTaskMem(item);
        Marshal.FreeHGlobal(Pointer);
    }
}
