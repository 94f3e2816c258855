using System.Runtime.InteropServices;

namespace SatSR.Raster.Interop;

/// <summary>A GDALDatasetH; GDALClose on release.</summary>
internal sealed class DatasetHandle : SafeHandle
{
    public DatasetHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        GdalNative.GDALClose(handle);
        return true;
    }
}
