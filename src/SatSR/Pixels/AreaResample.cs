namespace SatSR.Pixels;

/// <summary>
/// Area-averaging downsampling (every output pixel is the mean of the input area it covers, fractional pixels
/// counted by their share). Used to turn a ×4 prediction into ×2 or ×3 without aliasing.
/// </summary>
public static class AreaResample
{
    /// <summary>Resamples each of <paramref name="planeCount"/> planes from sw×sh to dw×dh (dw ≤ sw, dh ≤ sh).</summary>
    public static void Downscale(ReadOnlySpan<float> source, int sw, int sh, Span<float> destination, int dw, int dh, int planeCount = 1)
    {
        if (dw > sw || dh > sh) throw new ArgumentException("area resampling only shrinks");
        var xTaps = Taps(sw, dw);
        var yTaps = Taps(sh, dh);
        using var scratch = new Scratch(dw * sh);
        var rows = scratch.Span;
        for (var p = 0; p < planeCount; p++)
        {
            var src = source.Slice(p * sw * sh, sw * sh);
            var dst = destination.Slice(p * dw * dh, dw * dh);
            for (var y = 0; y < sh; y++)
            {
                for (var x = 0; x < dw; x++)
                {
                    double sum = 0;
                    foreach (var (index, weight) in xTaps[x]) sum += src[y * sw + index] * weight;
                    rows[y * dw + x] = (float)sum;
                }
            }
            for (var y = 0; y < dh; y++)
            {
                for (var x = 0; x < dw; x++)
                {
                    double sum = 0;
                    foreach (var (index, weight) in yTaps[y]) sum += rows[index * dw + x] * weight;
                    dst[y * dw + x] = (float)sum;
                }
            }
        }
    }

    /// <summary>For each destination pixel: the source pixels it covers and their share of its area.</summary>
    private static (int Index, double Weight)[][] Taps(int sourceLength, int destinationLength)
    {
        var ratio = (double)sourceLength / destinationLength;
        var taps = new (int, double)[destinationLength][];
        for (var d = 0; d < destinationLength; d++)
        {
            double start = d * ratio, end = (d + 1) * ratio;
            var list = new List<(int, double)>();
            for (var s = (int)Math.Floor(start); s < Math.Min(sourceLength, (int)Math.Ceiling(end)); s++)
            {
                var cover = Math.Min(end, s + 1) - Math.Max(start, s);
                if (cover > 1e-12) list.Add((s, cover / ratio));
            }
            taps[d] = [.. list];
        }
        return taps;
    }
}
