namespace SatSR.Pixels;

/// <summary>
/// Separable resampling of float planes along two <see cref="ResampleAxis"/>: area averaging (every output pixel the
/// mean of the input area it covers, fractional pixels counted by their share), which turns a ×4 prediction into ×2 or
/// ×3 without aliasing, and bicubic enlargement, which a prediction is blended with (<c>--model-weight</c>).
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
        Apply(source, sw, sh, destination, ResampleAxis.Create(sw, dw), ResampleAxis.Create(sh, dh), scratch, planeCount);
    }

    /// <summary>
    /// Enlarges a w×h plane <paramref name="scale"/> times by bicubic (Keys, as eval's baseline) into
    /// <paramref name="destination"/>, through <paramref name="scratch"/> of at least (w·s)×h values.
    /// </summary>
    public static void Bicubic(ReadOnlySpan<float> source, int w, int h, int scale, Span<float> destination, Span<float> scratch) =>
        Apply(source, w, h, destination, ResampleAxis.Bicubic(w, w * scale), ResampleAxis.Bicubic(h, h * scale), scratch, 1);

    private static void Apply(ReadOnlySpan<float> source, int sw, int sh, Span<float> destination, ResampleAxis xAxis, ResampleAxis yAxis,
        Span<float> scratch, int planeCount)
    {
        int dw = xAxis.DestinationLength, dh = yAxis.DestinationLength;
        if (scratch.Length < dw * sh) throw new ArgumentException("scratch too small");
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
