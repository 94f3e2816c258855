namespace SatSR.Pixels;

/// <summary>
/// Area-averaging downsampling (every output pixel is the mean of the input area it covers, fractional pixels
/// counted by their share). Used to turn a ×4 prediction into ×2 or ×3 without aliasing.
/// </summary>
public static class AreaResample
{
    /// <summary>
    /// Resamples each of <paramref name="planeCount"/> planes from sw×sh to dw×dh (dw ≤ sw, dh ≤ sh), through
    /// <paramref name="scratch"/>, the caller's, of at least dw×sh values (contents undefined).
    /// </summary>
    public static void Downscale(ReadOnlySpan<float> source, int sw, int sh, Span<float> destination, int dw, int dh, Span<float> scratch, int planeCount = 1)
    {
        if (dw > sw || dh > sh) throw new ArgumentException("area resampling only shrinks");
        if (scratch.Length < dw * sh) throw new ArgumentException("scratch too small");
        var xAxis = ResampleAxis.Create(sw, dw);
        var yAxis = ResampleAxis.Create(sh, dh);
        var rows = scratch;
        for (var p = 0; p < planeCount; p++)
        {
            var src = source.Slice(p * sw * sh, sw * sh);
            var dst = destination.Slice(p * dw * dh, dw * dh);
            for (var y = 0; y < sh; y++)
            {
                for (var x = 0; x < dw; x++)
                {
                    double sum = 0;
                    foreach (var (index, weight) in xAxis.Taps(x)) sum += src[y * sw + index] * weight;
                    rows[y * dw + x] = (float)sum;
                }
            }
            for (var y = 0; y < dh; y++)
            {
                for (var x = 0; x < dw; x++)
                {
                    double sum = 0;
                    foreach (var (index, weight) in yAxis.Taps(y)) sum += rows[index * dw + x] * weight;
                    dst[y * dw + x] = (float)sum;
                }
            }
        }
    }
}
