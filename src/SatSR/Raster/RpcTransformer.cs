using SatSR.Raster.Interop;

namespace SatSR.Raster;

/// <summary>
/// GDAL's RPC model of a raster: ground (longitude, latitude, height) ↔ image (pixel, line). Pixel/line use GDAL's
/// corner convention, like the geotransform: (0.5, 0.5) is the centre of the first pixel.
/// </summary>
public sealed class RpcTransformer : IDisposable
{
    /// <summary>
    /// Doubles reserved for GDAL's GDALRPCInfoV2 (96 in GDAL 3.6). SatSR never reads its fields, only hands it from
    /// GDALExtractRPCInfoV2 to GDALCreateRPCTransformerV2, so an opaque, generously sized buffer is safer than a
    /// mirrored struct layout.
    /// </summary>
    private const int RpcInfoDoubles = 256;

    private readonly string _path;
    private IntPtr _handle;

    private RpcTransformer(string path, IntPtr handle)
    {
        _path = path;
        _handle = handle;
    }

    /// <summary>The transformer for <paramref name="dataset"/>'s RPC metadata domain; fails naming the file when it has none.</summary>
    public static unsafe RpcTransformer For(RasterDataset dataset)
    {
        GdalError.EnsureInitialised();
        if (!dataset.Profile.Metadata.TryGetValue("RPC", out var rpc)) throw new RasterException(dataset.Path, "has no RPC metadata");
        var info = new double[RpcInfoDoubles];
        using var list = new NativeStringList(rpc);
        fixed (double* p = info)
        {
            if (GdalNative.GDALExtractRPCInfoV2(list.Pointer, p) == 0) throw new RasterException(dataset.Path, "has incomplete RPC metadata");
            GdalNative.CPLErrorReset();
            var handle = GdalNative.GDALCreateRPCTransformerV2(p, 0, 0.1, IntPtr.Zero);
            return handle != IntPtr.Zero
                ? new RpcTransformer(dataset.Path, handle)
                : throw new RasterException(dataset.Path, $"GDAL cannot build an RPC transformer ({GdalError.LastMessage()})");
        }
    }

    /// <summary>Where a ground point falls in the image.</summary>
    public (double Pixel, double Line) ToImage(double longitude, double latitude, double height = 0) => Transform(true, longitude, latitude, height);

    /// <summary>The ground point under an image position at <paramref name="height"/>.</summary>
    public (double Longitude, double Latitude) ToGround(double pixel, double line, double height = 0) => Transform(false, pixel, line, height);

    private unsafe (double, double) Transform(bool groundToImage, double x, double y, double z)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        int ok = 0;
        GdalNative.CPLErrorReset();
        GdalNative.GDALRPCTransform(_handle, groundToImage ? 1 : 0, 1, &x, &y, &z, &ok);
        return ok != 0 ? (x, y) : throw new RasterException(_path, $"the RPC model cannot transform this point ({GdalError.LastMessage()})");
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        GdalNative.GDALDestroyRPCTransformer(_handle);
        _handle = IntPtr.Zero;
    }
}
