using SatSR.Geometry;

namespace SatSR.Pixels;

/// <summary>
/// Sum of squared differences and how many went in; <see cref="Psnr"/> for values on a 0..1 scale. Adds up across
/// tiles and windows, so a whole job's figure is one value.
/// </summary>
public readonly record struct SquaredError(double Sum, long Count)
{
    public static SquaredError operator +(SquaredError a, SquaredError b) => new(a.Sum + b.Sum, a.Count + b.Count);

    /// <summary>PSNR in dB for a peak of 1; +∞ when exact, NaN when nothing was measured.</summary>
    public double Psnr => Count == 0 ? double.NaN : Sum == 0 ? double.PositiveInfinity : 10 * Math.Log10(Count / Sum);
}

/// <summary>
/// Consistency of a super-resolved image with its input: area-averaging the output by the scale should give the input
/// back. The network does not guarantee it (it may shift brightness or invent edges); <see cref="Correct"/> enforces it
/// by the smallest change that does (the L2 projection onto consistent images, which for area averaging is adding the
/// residual replicated over each s×s block).
/// </summary>
public static class Consistency
{
    /// <summary>
    /// Writes <c>input − areaAverage(prediction)</c> into <paramref name="residual"/> (w×h) for a prediction of
    /// (w·s)×(h·s); returns the squared error over the pixels of <paramref name="measured"/> (w×h coordinates) that
    /// are valid.
    /// </summary>
    public static SquaredError Residual(ReadOnlySpan<float> prediction, ReadOnlySpan<float> input, int w, int h, int s,
        ReadOnlySpan<byte> valid, Window measured, Span<float> residual)
    {
        var error = new SquaredError(0, 0);
        var ow = w * s;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                double sum = 0;
                for (var dy = 0; dy < s; dy++)
                {
                    var row = prediction.Slice((y * s + dy) * ow + x * s, s);
                    foreach (var v in row) sum += v;
                }
                var r = input[y * w + x] - (float)(sum / (s * s));
                residual[y * w + x] = r;
                if (valid[y * w + x] != 0 && x >= measured.Column && x < measured.Right && y >= measured.Row && y < measured.Bottom)
                {
                    error += new SquaredError((double)r * r, 1);
                }
            }
        }
        return error;
    }

    /// <summary>Adds each residual pixel to its s×s block of <paramref name="prediction"/>: afterwards it averages back to the input exactly.</summary>
    public static void Correct(Span<float> prediction, ReadOnlySpan<float> residual, int w, int h, int s)
    {
        var ow = w * s;
        for (var y = 0; y < h * s; y++)
        {
            var row = prediction.Slice(y * ow, ow);
            var res = residual.Slice(y / s * w, w);
            for (var x = 0; x < ow; x++) row[x] += res[x / s];
        }
    }

    /// <summary>
    /// The squared error, in <paramref name="range"/>'s unit scale, between valid input pixels and the area average
    /// of the stored output over them; only input pixels whose whole s×s block lies inside
    /// <paramref name="outputWindow"/> count. <paramref name="output"/> covers <paramref name="outputWindow"/> and
    /// <paramref name="input"/>/<paramref name="valid"/> cover <paramref name="inputWindow"/>, both row-major.
    /// </summary>
    public static SquaredError Measure<T>(ReadOnlySpan<T> output, Window outputWindow, ReadOnlySpan<double> input, Window inputWindow,
        ReadOnlySpan<byte> valid, int s, BandRange range) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var error = new SquaredError(0, 0);
        for (var iy = 0; iy < inputWindow.Height; iy++)
        {
            var top = (inputWindow.Row + iy) * s - outputWindow.Row;
            if (top < 0 || top + s > outputWindow.Height) continue;
            for (var ix = 0; ix < inputWindow.Width; ix++)
            {
                var left = (inputWindow.Column + ix) * s - outputWindow.Column;
                var i = iy * inputWindow.Width + ix;
                if (left < 0 || left + s > outputWindow.Width || valid[i] == 0) continue;
                double sum = 0;
                for (var dy = 0; dy < s; dy++)
                {
                    foreach (var v in output.Slice((top + dy) * outputWindow.Width + left, s)) sum += double.CreateTruncating(v);
                }
                double d = range.ToUnit(sum / (s * s)) - range.ToUnit(input[i]);
                error += new SquaredError(d * d, 1);
            }
        }
        return error;
    }
}
