namespace SatSR.Tests.Pixels;

/// <summary>
/// Resampling written plainly from its definition, as the independent reference for SatSR's kernels. Along an axis of
/// n source pixels onto m, destination pixel d spans source coordinates [d·n/m, (d+1)·n/m). Shrinking (m ≤ n): each
/// source pixel weighs the length of its overlap with that span. Enlarging: Lanczos-3, L(x) = sinc(x)·sinc(x/3) for
/// |x| &lt; 3, of the distance from the destination centre (d+½)·n/m − ½ to each source centre, a source index past an
/// edge standing for the edge pixel. Weights are normalised to sum 1; in 2-D a pixel weighs the product of its two.
/// </summary>
internal static class ReferenceResample
{
    /// <summary>The non-zero weights of destination pixel <paramref name="d"/>: (source index, weight).</summary>
    public static List<(int Index, double Weight)> Weights(int n, int m, int d)
    {
        var w = new double[n];
        var ratio = (double)n / m;
        if (m <= n)
        {
            for (var s = 0; s < n; s++) w[s] = Math.Max(0, Math.Min(s + 1, (d + 1) * ratio) - Math.Max(s, d * ratio));
        }
        else
        {
            var centre = (d + 0.5) * ratio - 0.5;
            for (var s = (int)Math.Floor(centre) - 3; s <= (int)Math.Ceiling(centre) + 3; s++) w[Math.Clamp(s, 0, n - 1)] += Lanczos3(centre - s);
        }
        var sum = w.Sum();
        return Enumerable.Range(0, n).Where(s => w[s] != 0).Select(s => (s, w[s] / sum)).ToList();
    }

    /// <summary>
    /// A sw×sh plane onto dw×dh. Where <paramref name="valid"/> is 0 a pixel weighs nothing and the rest renormalise;
    /// NaN where the valid weights sum to zero or less.
    /// </summary>
    public static double[] Resample(double[] source, byte[]? valid, int sw, int sh, int dw, int dh)
    {
        var across = Enumerable.Range(0, dw).Select(d => Weights(sw, dw, d)).ToArray();
        var down = Enumerable.Range(0, dh).Select(d => Weights(sh, dh, d)).ToArray();
        var result = new double[dw * dh];
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
            {
                double sum = 0, weight = 0;
                foreach (var (row, wy) in down[y])
                    foreach (var (column, wx) in across[x])
                    {
                        if (valid is not null && valid[row * sw + column] == 0) continue;
                        sum += wx * wy * source[row * sw + column];
                        weight += wx * wy;
                    }
                result[y * dw + x] = weight > 0 ? sum / weight : double.NaN;
            }
        return result;
    }

    private static double Lanczos3(double x) =>
        x == 0 ? 1 : Math.Abs(x) >= 3 ? 0 : Math.Sin(Math.PI * x) / (Math.PI * x) * (Math.Sin(Math.PI * x / 3) / (Math.PI * x / 3));
}
