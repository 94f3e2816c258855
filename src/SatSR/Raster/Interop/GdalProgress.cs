using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace SatSR.Raster.Interop;

/// <summary>
/// A GDALProgressFunc for one long GDAL call: reports the fraction done and stops GDAL when the token is cancelled
/// (GDAL aborts when the callback returns 0). An exception thrown by the progress handler cannot cross GDAL's
/// frames, so it also stops GDAL and is rethrown by <see cref="ThrowIfStopped"/> once the call has returned.
/// </summary>
internal sealed class GdalProgress : IDisposable
{
    private readonly IProgress<double>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly double _offset, _span;
    private GCHandle _handle;
    private ExceptionDispatchInfo? _failure;

    /// <summary>GDAL's 0..1 is reported as <paramref name="offset"/>..<paramref name="offset"/>+<paramref name="span"/>.</summary>
    public GdalProgress(IProgress<double>? progress, CancellationToken cancellationToken, double offset = 0, double span = 1)
    {
        _progress = progress;
        _cancellationToken = cancellationToken;
        (_offset, _span) = (offset, span);
        _handle = GCHandle.Alloc(this);
    }

    public static unsafe delegate* unmanaged[Cdecl]<double, IntPtr, IntPtr, int> Callback => &Report;

    /// <summary>The pProgressData GDAL passes back to <see cref="Callback"/>.</summary>
    public IntPtr Data => GCHandle.ToIntPtr(_handle);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Report(double complete, IntPtr message, IntPtr data)
    {
        var self = (GdalProgress)GCHandle.FromIntPtr(data).Target!;
        if (self._failure is not null || self._cancellationToken.IsCancellationRequested) return 0;
        try
        {
            self._progress?.Report(self._offset + self._span * Math.Clamp(complete, 0, 1));
            return 1;
        }
        catch (Exception e)
        {
            self._failure = ExceptionDispatchInfo.Capture(e);
            return 0;
        }
    }

    /// <summary>After the GDAL call: rethrows the handler's exception, or throws when the job was cancelled.</summary>
    public void ThrowIfStopped()
    {
        _failure?.Throw();
        _cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose()
    {
        if (_handle.IsAllocated) _handle.Free();
    }
}
