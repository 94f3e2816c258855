using System.Runtime.InteropServices;

namespace SatSR.Raster.Interop;

/// <summary>A GDALDatasetH; GDALClose on release.</summary>
internal sealed class DatasetHandle : SafeHandle
{
    public DatasetHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>GDALClose's CPLErr once released: closing a written file writes what is still cached, and can fail.</summary>
    public int CloseResult { get; private set; } = GdalNative.CE_None;

    protected override bool ReleaseHandle()
    {
        CloseResult = GdalNative.Close(handle);
        return true;
    }
}
