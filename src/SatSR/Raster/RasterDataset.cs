using System.Runtime.InteropServices;
using SatSR.Geometry;
using SatSR.Raster.Interop;

namespace SatSR.Raster;

/// <summary>
/// An open GDAL raster. Reads and writes windows of several bands in one call into caller-owned, band-major
/// buffers. GDAL 3.6 datasets are not thread-safe: use one instance from one thread at a time.
/// </summary>
public sealed class RasterDataset : IDisposable
{
    private readonly DatasetHandle _handle;

    private RasterDataset(string path, DatasetHandle handle, RasterProfile profile)
    {
        Path = path;
        _handle = handle;
        Profile = profile;
    }

    public string Path { get; }
    public RasterProfile Profile { get; }
    private Window Bounds => new(0, 0, Profile.Width, Profile.Height);

    /// <summary>Opens a raster read-only; a file that is missing, empty, not a raster or of an unsupported type fails with one line naming it.</summary>
    public static RasterDataset Open(string path) => OpenCore(path, update: false);

    /// <summary>Opens a raster for writing more pixels into it, with the driver's open options (GTiff: NUM_THREADS=N for compression).</summary>
    public static RasterDataset OpenForUpdate(string path, params string[] openOptions) => OpenCore(path, update: true, openOptions);

    /// <summary>Opens overview <paramref name="level"/> of a raster (0: the finest) read-only, as a raster of its own.</summary>
    public static RasterDataset OpenOverview(string path, int level) =>
        OpenCore(path, update: false, $"OVERVIEW_LEVEL={level.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    private static RasterDataset OpenCore(string path, bool update, params string[] openOptions)
    {
        GdalError.EnsureInitialised();
        if (RemoteFile.IsRemote(path)) RemoteFile.UseDefaults();
        if (Directory.Exists(path)) throw new RasterException(path, "is a folder, not a raster file");
        if (!File.Exists(path) && !path.StartsWith("/vsi", StringComparison.Ordinal)) throw new RasterException(path, "no such file");
        if (File.Exists(path) && new FileInfo(path).Length == 0) throw new RasterException(path, "is empty (0 bytes)");

        GdalNative.CPLErrorReset();
        using var about = GdalError.About(path);
        var flags = GdalNative.GDAL_OF_RASTER | GdalNative.GDAL_OF_VERBOSE_ERROR | (update ? GdalNative.GDAL_OF_UPDATE : GdalNative.GDAL_OF_READONLY);
        IntPtr raw;
        using (var options = new NativeStringList(openOptions))
        {
            raw = GdalNative.GDALOpenEx(path, flags, IntPtr.Zero, options.Pointer, IntPtr.Zero);
        }
        if (raw == IntPtr.Zero) throw new RasterException(path, $"not a raster GDAL can read ({GdalError.LastMessage()})");
        var handle = new DatasetHandle(raw);
        try
        {
            return new RasterDataset(path, handle, ReadProfile(path, raw));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a GTiff with <paramref name="profile"/>'s size, type and bands, and writes its georeference, metadata,
    /// nodata, colour interpretation and descriptions before any pixel (GeoTIFF keys live in the first directory).
    /// With <paramref name="mask"/> the file gets an internal per-dataset mask band (see <see cref="WriteMask"/>): the
    /// validity that lossy compression cannot keep in a nodata value.
    /// </summary>
    public static RasterDataset Create(string path, RasterProfile profile, IReadOnlyDictionary<string, string> creationOptions, bool mask = false)
    {
        GdalError.EnsureInitialised();
        GdalNative.CPLErrorReset();
        using var about = GdalError.About(path);
        var driver = GdalError.ThrowIfNull(GdalNative.GDALGetDriverByName("GTiff"), path, "finding the GTiff driver");
        IntPtr raw;
        using (var options = new NativeStringList(creationOptions.Select(kv => $"{kv.Key}={kv.Value}")))
        {
            raw = GdalNative.GDALCreate(driver, path, profile.Width, profile.Height, profile.BandCount, (int)profile.DataType, options.Pointer);
        }
        if (raw == IntPtr.Zero) throw new RasterException(path, $"cannot create the file ({GdalError.LastMessage()})");
        var handle = new DatasetHandle(raw);
        try
        {
            WriteProfile(path, raw, profile);
            if (mask)
            {
                // Inside the TIFF, not a .msk file beside it (GDAL 3.6's default).
                using var scope = new GdalConfigScope("GDAL_TIFF_INTERNAL_MASK", "YES");
                GdalError.ThrowIfFailed(GdalNative.GDALCreateDatasetMaskBand(raw, GdalNative.GMF_PER_DATASET), path, "creating the mask band");
            }
            return new RasterDataset(path, handle, ReadProfile(path, raw));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads <paramref name="window"/> of <paramref name="bands"/> (1-based) into <paramref name="destination"/>,
    /// band-major: [band][row][column]. GDAL converts to <typeparamref name="T"/>.
    /// </summary>
    public void Read<T>(Window window, ReadOnlySpan<int> bands, Span<T> destination) where T : unmanaged =>
        ReadResampled(window, window.Width, window.Height, bands, destination);

    /// <summary>Reads <paramref name="window"/> decimated (nearest) into a bufferWidth×bufferHeight buffer per band.</summary>
    public void ReadResampled<T>(Window window, int bufferWidth, int bufferHeight, ReadOnlySpan<int> bands, Span<T> destination) where T : unmanaged
    {
        CheckWindow(window, bands);
        if (destination.Length < (long)bands.Length * bufferWidth * bufferHeight) throw new ArgumentException("destination too small", nameof(destination));
        var err = Transfer(GdalNative.GF_Read, window, bufferWidth, bufferHeight, bands, MemoryMarshal.AsBytes(destination), TypeOf<T>(), Marshal.SizeOf<T>());
        if (err >= GdalNative.CE_Failure) throw ReadFailure("the pixels", window);
    }

    /// <summary>
    /// A failed read of <paramref name="what"/>. Over the network the usual cause is the connection or the server; in a
    /// local file, a file cut short or damaged (a strip that does not decompress). Either way with GDAL's reason.
    /// </summary>
    private RasterException ReadFailure(string what, Window window) => RemoteFile.IsRemote(Path)
        ? new RasterException(Path, $"cannot read {what} from the server; the connection dropped or the server failed ({GdalError.LastMessage()})", window) { Retryable = true }
        : new RasterException(Path, $"cannot read {what}; the file may be truncated or corrupt ({GdalError.LastMessage()})", window);

    /// <summary>Writes <paramref name="source"/> (band-major, like <see cref="Read{T}"/>) into <paramref name="window"/>.</summary>
    public void Write<T>(Window window, ReadOnlySpan<int> bands, ReadOnlySpan<T> source) where T : unmanaged
    {
        CheckWindow(window, bands);
        if (source.Length < (long)bands.Length * window.Width * window.Height) throw new ArgumentException("source too small", nameof(source));
        var bytes = MemoryMarshal.AsBytes(source);
        var err = Transfer(GdalNative.GF_Write, window, window.Width, window.Height, bands,
            MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length), TypeOf<T>(), Marshal.SizeOf<T>());
        GdalError.ThrowIfWriteFailed(err, Path, "writing", BlockBytes, window);
    }

    /// <summary>
    /// Writes samples already in <paramref name="type"/> (band-major, like <see cref="Read{T}"/>), so GDAL copies them
    /// without converting each one: the output's own type, whichever it is.
    /// </summary>
    public void WriteSamples(Window window, ReadOnlySpan<int> bands, ReadOnlySpan<byte> samples, RasterDataType type)
    {
        CheckWindow(window, bands);
        var size = SizeOf(type);
        if (samples.Length < (long)bands.Length * window.Width * window.Height * size) throw new ArgumentException("samples too small", nameof(samples));
        var err = Transfer(GdalNative.GF_Write, window, window.Width, window.Height, bands,
            MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(samples), samples.Length), (int)type, size);
        GdalError.ThrowIfWriteFailed(err, Path, "writing", BlockBytes, window);
    }

    /// <summary>Bytes per sample of <paramref name="type"/>.</summary>
    public static int SizeOf(RasterDataType type) => type switch
    {
        RasterDataType.Byte => 1,
        RasterDataType.UInt16 or RasterDataType.Int16 => 2,
        RasterDataType.UInt32 or RasterDataType.Int32 or RasterDataType.Float32 => 4,
        RasterDataType.Float64 => 8,
        _ => throw new NotSupportedException($"no sample size for {type}"),
    };

    /// <summary>Reads GDAL's mask of <paramref name="band"/> (RFC 15): 0 where invalid, 255 where valid, row-major.</summary>
    public unsafe void ReadMask(Window window, int band, Span<byte> destination)
    {
        CheckWindow(window, [band]);
        if (destination.Length < window.Area) throw new ArgumentException("destination too small", nameof(destination));
        var mask = GdalError.ThrowIfNull(GdalNative.GDALGetMaskBand(BandHandle(band)), Path, "getting the mask band");
        int err;
        fixed (byte* p = destination)
        {
            err = GdalNative.GDALRasterIOEx(mask, GdalNative.GF_Read, window.Column, window.Row, window.Width, window.Height, p,
                window.Width, window.Height, (int)RasterDataType.Byte, 1, window.Width, IntPtr.Zero);
        }
        if (err >= GdalNative.CE_Failure) throw ReadFailure("the mask", window);
    }

    /// <summary>Writes <paramref name="window"/> of the per-dataset mask (row-major; 0 invalid, 255 valid) of a file created with one.</summary>
    public void WriteMask(Window window, ReadOnlySpan<byte> source)
    {
        CheckWindow(window, [1]);
        if (source.Length < window.Area) throw new ArgumentException("source too small", nameof(source));
        WriteMaskBand(GdalError.ThrowIfNull(GdalNative.GDALGetMaskBand(BandHandle(1)), Path, "getting the mask band"), window, source, "writing the mask");
    }

    /// <summary>
    /// The files GDAL reads for this raster (GDALGetFileList): the file itself, a VRT's sources, sidecars such as
    /// .aux.xml or .msk; as GDAL names them.
    /// </summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            var list = GdalNative.GDALGetFileList(_handle.DangerousGetHandle());
            try
            {
                return GdalNative.StringList(list);
            }
            finally
            {
                GdalNative.CSLDestroy(list);
            }
        }
    }

    /// <summary>Sizes of the overviews of band 1, finest first (empty when there are none).</summary>
    public IReadOnlyList<(int Width, int Height)> OverviewSizes
    {
        get
        {
            var band = BandHandle(1);
            return Enumerable.Range(0, GdalNative.GDALGetOverviewCount(band)).Select(i =>
            {
                var overview = GdalNative.GDALGetOverview(band, i);
                return (GdalNative.GDALGetRasterBandXSize(overview), GdalNative.GDALGetRasterBandYSize(overview));
            }).ToList();
        }
    }

    /// <summary>
    /// Lays out empty overviews at <paramref name="factors"/> (2: half the size) in a GeoTIFF opened for update (or just
    /// created), for all bands and the per-dataset mask, so that their pixels can be written block by block
    /// (<see cref="WriteOverviewSamples"/>) while the full resolution is. A GeoTIFF keeps them inside the file.
    /// </summary>
    public unsafe void AddOverviews(IReadOnlyList<int> factors)
    {
        if (factors.Count == 0) return;
        var levels = factors.ToArray();
        var bands = Enumerable.Range(1, Profile.BandCount).ToArray();
        int err;
        // "NONE" makes the overview directories without computing a pixel.
        GdalNative.CPLErrorReset();
        fixed (int* f = levels)
        fixed (int* b = bands)
        {
            err = GdalNative.GDALBuildOverviews(_handle.DangerousGetHandle(), "NONE", levels.Length, f, bands.Length, b, null, IntPtr.Zero);
        }
        GdalError.ThrowIfFailed(err, Path, "creating the overviews");
    }

    /// <summary>The block size of overview <paramref name="level"/> (0: the finest).</summary>
    public (int Width, int Height) OverviewBlockSize(int level)
    {
        GdalNative.GDALGetBlockSize(OverviewBand(1, level), out var x, out var y);
        return (x, y);
    }

    /// <summary>
    /// Writes samples already in the file's type (band-major, like <see cref="WriteSamples"/>) into <paramref name="window"/>
    /// of overview <paramref name="level"/>, all <paramref name="bands"/> in one call (pixel-interleaved blocks are
    /// written whole).
    /// </summary>
    public unsafe void WriteOverviewSamples(int level, Window window, ReadOnlySpan<int> bands, ReadOnlySpan<byte> samples)
    {
        var size = SizeOf(Profile.DataType);
        if (samples.Length < (long)bands.Length * window.Area * size) throw new ArgumentException("samples too small", nameof(samples));
        var overview = GdalError.ThrowIfNull(GdalNative.GDALGetBandDataset(OverviewBand(1, level)), Path, "getting an overview");
        int err;
        GdalNative.CPLErrorReset();
        fixed (byte* p = samples)
        fixed (int* map = bands)
        {
            err = GdalNative.GDALDatasetRasterIOEx(overview, GdalNative.GF_Write, window.Column, window.Row, window.Width, window.Height,
                p, window.Width, window.Height, (int)Profile.DataType, bands.Length, map, size, (long)window.Width * size, (long)window.Area * size, IntPtr.Zero);
        }
        GdalError.ThrowIfWriteFailed(err, Path, "writing an overview", BlockBytes, window);
    }

    /// <summary>Writes <paramref name="window"/> of the per-dataset mask of overview <paramref name="level"/> (row-major; 0 invalid, 255 valid).</summary>
    public void WriteOverviewMask(int level, Window window, ReadOnlySpan<byte> source)
    {
        if (source.Length < window.Area) throw new ArgumentException("source too small", nameof(source));
        WriteMaskBand(GdalError.ThrowIfNull(GdalNative.GDALGetMaskBand(OverviewBand(1, level)), Path, "getting an overview's mask band"),
            window, source, "writing an overview's mask");
    }

    private unsafe void WriteMaskBand(IntPtr mask, Window window, ReadOnlySpan<byte> source, string what)
    {
        int err;
        GdalNative.CPLErrorReset();
        fixed (byte* p = source)
        {
            err = GdalNative.GDALRasterIOEx(mask, GdalNative.GF_Write, window.Column, window.Row, window.Width, window.Height, p,
                window.Width, window.Height, (int)RasterDataType.Byte, 1, window.Width, IntPtr.Zero);
        }
        GdalError.ThrowIfFailed(err, Path, what, window);
    }

    private IntPtr OverviewBand(int band, int level) =>
        GdalError.ThrowIfNull(GdalNative.GDALGetOverview(BandHandle(band), level), Path, $"getting overview {level}");

    /// <summary>
    /// Writes a copy of this raster to <paramref name="path"/> with <paramref name="driver"/>'s CreateCopy (COG has no
    /// Create) and closes it. <paramref name="progress"/> gets 0..1; cancelling stops GDAL, which removes what it wrote.
    /// </summary>
    public unsafe void CopyTo(string path, string driver, IReadOnlyDictionary<string, string> creationOptions,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        GdalNative.CPLErrorReset();
        var target = GdalError.ThrowIfNull(GdalNative.GDALGetDriverByName(driver), path, $"finding the {driver} driver");
        IntPtr raw;
        using (var options = new NativeStringList(creationOptions.Select(kv => $"{kv.Key}={kv.Value}")))
        using (var report = new GdalProgress(progress, cancellationToken))
        {
            raw = GdalNative.GDALCreateCopy(target, path, _handle.DangerousGetHandle(), 1, options.Pointer, GdalProgress.Callback, report.Data);
            if (raw == IntPtr.Zero) report.ThrowIfStopped();
        }
        if (raw == IntPtr.Zero) throw new RasterException(path, $"writing the {driver} copy failed; is the disk full? ({GdalError.LastMessage()})");
        // Closed like any written dataset, so that a failure while closing is thrown.
        var handle = new DatasetHandle(raw);
        RasterDataset copy;
        try
        {
            copy = new RasterDataset(path, handle, ReadProfile(path, raw));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        copy.Dispose();
    }

    /// <summary>
    /// Writes cached blocks and the file's tile index, so that what was written survives if the process dies.
    /// GDAL 3.6's GTiff writes the tile index before it writes the dirty blocks, so one flush leaves the newest
    /// blocks unindexed; the second flush indexes them.
    /// </summary>
    public void FlushCache()
    {
        // A GeoTIFF's overviews are datasets of their own: flushing the file leaves their blocks and tile index in memory.
        var datasets = Enumerable.Range(0, OverviewSizes.Count).Select(level => GdalNative.GDALGetBandDataset(OverviewBand(1, level)))
            .Prepend(_handle.DangerousGetHandle()).ToList();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var ds in datasets) GdalError.ThrowIfWriteFailed(GdalNative.FlushCache(ds), Path, "writing", BlockBytes);
        }
    }

    /// <summary>Closes the dataset; a failure while closing a written file (disk full) is thrown, not swallowed.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed) return;
        _handle.Dispose();
        GdalError.ThrowIfWriteFailed(_handle.CloseResult, Path, "closing", BlockBytes);
    }

    /// <summary>One block of all bands, uncompressed: the most GDAL writes at once.</summary>
    private long BlockBytes => (long)Profile.BlockWidth * Profile.BlockHeight * Profile.BandCount * GdalNative.GDALGetDataTypeSizeBytes((int)Profile.DataType);

    private unsafe int Transfer(int rw, Window window, int bufferWidth, int bufferHeight, ReadOnlySpan<int> bands, Span<byte> buffer, int type, int size)
    {
        GdalNative.CPLErrorReset();
        long pixel = size, line = (long)bufferWidth * size, band = line * bufferHeight;
        fixed (byte* p = buffer)
        fixed (int* map = bands)
        {
            return GdalNative.GDALDatasetRasterIOEx(_handle.DangerousGetHandle(), rw, window.Column, window.Row, window.Width, window.Height,
                p, bufferWidth, bufferHeight, type, bands.Length, map, pixel, line, band, IntPtr.Zero);
        }
    }

    private void CheckWindow(Window window, ReadOnlySpan<int> bands)
    {
        if (window.IsEmpty || !Bounds.Contains(window))
        {
            throw new ArgumentOutOfRangeException(nameof(window), $"{window} is not inside {Path} ({Profile.Width}×{Profile.Height})");
        }
        foreach (var b in bands)
        {
            if (b < 1 || b > Profile.BandCount) throw new ArgumentOutOfRangeException(nameof(bands), $"band {b} of {Profile.BandCount}");
        }
    }

    private IntPtr BandHandle(int band) => GdalNative.GDALGetRasterBand(_handle.DangerousGetHandle(), band);

    private static int TypeOf<T>() => typeof(T) switch
    {
        var t when t == typeof(byte) => (int)RasterDataType.Byte,
        var t when t == typeof(ushort) => (int)RasterDataType.UInt16,
        var t when t == typeof(short) => (int)RasterDataType.Int16,
        var t when t == typeof(uint) => (int)RasterDataType.UInt32,
        var t when t == typeof(int) => (int)RasterDataType.Int32,
        var t when t == typeof(float) => (int)RasterDataType.Float32,
        var t when t == typeof(double) => (int)RasterDataType.Float64,
        var t => throw new NotSupportedException($"no GDAL data type for {t.Name}"),
    };

    private static RasterProfile ReadProfile(string path, IntPtr ds)
    {
        int width = GdalNative.GDALGetRasterXSize(ds), height = GdalNative.GDALGetRasterYSize(ds), count = GdalNative.GDALGetRasterCount(ds);
        if (count == 0) throw new RasterException(path, "has no raster bands");
        if (width <= 0 || height <= 0) throw new RasterException(path, $"has no pixels ({width}×{height})");

        var first = GdalNative.GDALGetRasterBand(ds, 1);
        var type = GdalNative.GDALGetRasterDataType(first);
        if (!Enum.IsDefined(typeof(RasterDataType), type))
        {
            throw new RasterException(path, $"data type {GdalNative.Utf8(GdalNative.GDALGetDataTypeName(type))} is not supported (Byte, UInt16, Int16, UInt32, Int32, Float32 and Float64 are)");
        }
        var bands = new List<BandInfo>(count);
        for (var b = 1; b <= count; b++)
        {
            var band = GdalNative.GDALGetRasterBand(ds, b);
            if (GdalNative.GDALGetRasterDataType(band) != type) throw new RasterException(path, $"band {b} has another data type than band 1");
            var nodata = GdalNative.GDALGetRasterNoDataValue(band, out var hasNodata);
            bands.Add(new BandInfo(
                GdalNative.Utf8(GdalNative.GDALGetDescription(band)) ?? "",
                (ColorInterpretation)GdalNative.GDALGetRasterColorInterpretation(band),
                hasNodata != 0 ? nodata : null,
                (MaskFlags)GdalNative.GDALGetMaskFlags(band)));
        }
        GdalNative.GDALGetBlockSize(first, out var bx, out var by);

        var gt = new double[6];
        GdalNative.CPLErrorReset();
        var hasTransform = GdalNative.GDALGetGeoTransform(ds, gt) == GdalNative.CE_None;
        var projection = GdalNative.Utf8(GdalNative.GDALGetProjectionRef(ds));
        return new RasterProfile
        {
            Width = width,
            Height = height,
            DataType = (RasterDataType)type,
            Bands = bands,
            Transform = hasTransform ? GeoTransform.FromArray(gt) : null,
            Projection = string.IsNullOrEmpty(projection) ? null : projection,
            Gcps = ReadGcps(ds),
            GcpProjection = GdalNative.Utf8(GdalNative.GDALGetGCPProjection(ds)) is { Length: > 0 } gp ? gp : null,
            Metadata = ReadMetadata(ds),
            BitDepth = int.TryParse(GdalNative.Utf8(GdalNative.GDALGetMetadataItem(first, "NBITS", "IMAGE_STRUCTURE")), out var nbits) ? nbits : null,
            BlockWidth = bx,
            BlockHeight = by,
            DriverName = GdalNative.Utf8(GdalNative.GDALGetDriverShortName(GdalNative.GDALGetDatasetDriver(ds))) ?? "",
        };
    }

    private static List<Gcp> ReadGcps(IntPtr ds)
    {
        var count = GdalNative.GDALGetGCPCount(ds);
        var list = new List<Gcp>(count);
        var p = GdalNative.GDALGetGCPs(ds);
        for (var i = 0; i < count; i++)
        {
            var g = Marshal.PtrToStructure<GdalNative.GdalGcp>(p + i * Marshal.SizeOf<GdalNative.GdalGcp>());
            list.Add(new Gcp(GdalNative.Utf8(g.Id) ?? "", GdalNative.Utf8(g.Info) ?? "", g.Pixel, g.Line, g.X, g.Y, g.Z));
        }
        return list;
    }

    /// <summary>Plain KEY=VALUE domains only: xml:* and derived/structural domains do not carry over to a new file.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadMetadata(IntPtr ds)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>();
        var domainList = GdalNative.GDALGetMetadataDomainList(ds);
        var domains = GdalNative.StringList(domainList);
        GdalNative.CSLDestroy(domainList);
        foreach (var domain in domains.Where(d => !d.StartsWith("xml:", StringComparison.Ordinal) && d is not ("IMAGE_STRUCTURE" or "DERIVED_SUBDATASETS")))
        {
            var items = GdalNative.StringList(GdalNative.GDALGetMetadata(ds, domain));
            if (items.Count > 0) result[domain] = items;
        }
        return result;
    }

    private static void WriteProfile(string path, IntPtr ds, RasterProfile profile)
    {
        if (profile.Transform is { } t) GdalError.ThrowIfFailed(GdalNative.GDALSetGeoTransform(ds, t.ToArray()), path, "setting the geotransform");
        if (!string.IsNullOrEmpty(profile.Projection)) GdalError.ThrowIfFailed(GdalNative.GDALSetProjection(ds, profile.Projection), path, "setting the CRS");
        if (profile.Gcps.Count > 0 && profile.Transform is null) WriteGcps(path, ds, profile);
        foreach (var (domain, items) in profile.Metadata)
        {
            using var list = new NativeStringList(items);
            GdalError.ThrowIfFailed(GdalNative.GDALSetMetadata(ds, list.Pointer, domain), path, $"setting metadata domain '{domain}'");
        }
        for (var b = 1; b <= profile.BandCount; b++)
        {
            var info = profile.Bands[b - 1];
            var band = GdalNative.GDALGetRasterBand(ds, b);
            if (info.Nodata is { } nodata) GdalError.ThrowIfFailed(GdalNative.GDALSetRasterNoDataValue(band, nodata), path, $"setting nodata of band {b}");
            if (info.ColorInterpretation != ColorInterpretation.Undefined)
            {
                GdalError.ThrowIfFailed(GdalNative.GDALSetRasterColorInterpretation(band, (int)info.ColorInterpretation), path, $"setting colour of band {b}");
            }
            if (info.Description.Length > 0) GdalNative.GDALSetDescription(band, info.Description);
        }
    }

    private static void WriteGcps(string path, IntPtr ds, RasterProfile profile)
    {
        var strings = new List<IntPtr>();
        try
        {
            var gcps = profile.Gcps.Select(g =>
            {
                var id = Marshal.StringToCoTaskMemUTF8(g.Id);
                var info = Marshal.StringToCoTaskMemUTF8(g.Info);
                strings.Add(id);
                strings.Add(info);
                return new GdalNative.GdalGcp { Id = id, Info = info, Pixel = g.Pixel, Line = g.Line, X = g.X, Y = g.Y, Z = g.Z };
            }).ToArray();
            GdalError.ThrowIfFailed(GdalNative.GDALSetGCPs(ds, gcps.Length, gcps, profile.GcpProjection ?? ""), path, "setting GCPs");
        }
        finally
        {
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }
}
