using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    // Optimised from the first call: it runs once per tile over every output pixel (see TilePredictor.Mean).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SquaredError Residual(ReadOnlySpan<float> prediction, ReadOnlySpan<float> input, int w, int h, int s,
        ReadOnlySpan<byte> valid, Window measured, Span<float> residual)
    {
        double squares = 0;
        long count = 0;
        var ow = w * s;
        var rented = ArrayPool<double>.Shared.Rent(ow);
        var columns = rented.AsSpan(0, ow);
        for (var y = 0; y < h; y++)
        {
            // Each output column summed down the block's s rows (in double, a vector at a time), then s columns a block.
            columns.Clear();
            for (var dy = 0; dy < s; dy++) AddWidened(prediction.Slice((y * s + dy) * ow, ow), columns);
            var inputRow = input.Slice(y * w, w);
            var residualRow = residual.Slice(y * w, w);
            for (var x = 0; x < w; x++)
            {
                double sum = 0;
                for (var k = x * s; k < x * s + s; k++) sum += columns[k];
                residualRow[x] = inputRow[x] - (float)(sum / (s * s));
            }
            if (y < measured.Row || y >= measured.Bottom) continue;
            var validRow = valid.Slice(y * w, w);
            for (var x = measured.Column; x < measured.Right; x++)
            {
                if (validRow[x] == 0) continue;
                double r = residualRow[x];
                squares += r * r;
                count++;
            }
        }
        ArrayPool<double>.Shared.Return(rented);
        return new SquaredError(squares, count);
    }

    /// <summary>
    /// <paramref name="sums"/>[i] = the sum of <paramref name="rows"/> rows of <paramref name="values"/> (each
    /// <paramref name="sums"/>.Length long) at column i, for 8-bit output: as 16-bit integers, a vector at a time (exact
    /// for up to 257 rows: 257 · 255 &lt; 2¹⁶).
    /// </summary>
    private static void SumRows(ReadOnlySpan<byte> values, int rows, Span<ushort> sums)
    {
        var n = sums.Length;
        var width = Vector<byte>.Count;
        var half = Vector<ushort>.Count;
        sums.Clear();
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * n, n);
            var i = 0;
            for (; i <= n - width; i += width)
            {
                Vector.Widen(new Vector<byte>(row[i..]), out var low, out var high);
                (new Vector<ushort>(sums[i..]) + low).CopyTo(sums[i..]);
                (new Vector<ushort>(sums[(i + half)..]) + high).CopyTo(sums[(i + half)..]);
            }
            for (; i < n; i++) sums[i] += row[i];
        }
    }

    /// <summary><paramref name="sums"/>[i] += <paramref name="values"/>[i], widened to double.</summary>
    private static void AddWidened(ReadOnlySpan<float> values, Span<double> sums)
    {
        var width = Vector<float>.Count;
        var lane = Vector<double>.Count;
        var i = 0;
        for (; i <= values.Length - width; i += width)
        {
            Vector.Widen(new Vector<float>(values[i..]), out var low, out var high);
            (new Vector<double>(sums[i..]) + low).CopyTo(sums[i..]);
            (new Vector<double>(sums[(i + lane)..]) + high).CopyTo(sums[(i + lane)..]);
        }
        for (; i < values.Length; i++) sums[i] += values[i];
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SquaredError Measure<T>(ReadOnlySpan<T> output, Window outputWindow, ReadOnlySpan<double> input, Window inputWindow,
        ReadOnlySpan<byte> valid, int s, BandRange range) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        double squares = 0;
        long count = 0;
        var ow = outputWindow.Width;
        // 8-bit output sums its columns as 16-bit integers, other types as doubles.
        var shorts = typeof(T) == typeof(byte) && s <= 257 ? ArrayPool<ushort>.Shared.Rent(ow) : null;
        var rented = shorts is null ? ArrayPool<double>.Shared.Rent(ow) : null;
        var sums = shorts.AsSpan(0, shorts is null ? 0 : ow);
        var columns = rented.AsSpan(0, rented is null ? 0 : ow);
        // The input columns whose whole block lies inside the output window.
        var first = Math.Max(0, (outputWindow.Column + s - 1) / s - inputWindow.Column);
        var end = Math.Min(inputWindow.Width, (outputWindow.Column + ow) / s - inputWindow.Column);
        for (var iy = 0; iy < inputWindow.Height; iy++)
        {
            var top = (inputWindow.Row + iy) * s - outputWindow.Row;
            if (top < 0 || top + s > outputWindow.Height) continue;
            // Each output column summed down the block's s rows, then s columns a block (exact for integer samples).
            var block = output.Slice(top * ow, s * ow);
            if (shorts is not null) SumRows(MemoryMarshal.Cast<T, byte>(block), s, sums);
            else
            {
                columns.Clear();
                for (var dy = 0; dy < s; dy++)
                {
                    var row = block.Slice(dy * ow, ow);
                    for (var x = 0; x < ow; x++) columns[x] += double.CreateTruncating(row[x]);
                }
            }
            var inputRow = input.Slice(iy * inputWindow.Width, inputWindow.Width);
            var validRow = valid.Slice(iy * inputWindow.Width, inputWindow.Width);
            for (var ix = first; ix < end; ix++)
            {
                if (validRow[ix] == 0) continue;
                var left = (inputWindow.Column + ix) * s - outputWindow.Column;
                double sum = 0;
                if (shorts is not null) for (var k = left; k < left + s; k++) sum += sums[k];
                else for (var k = left; k < left + s; k++) sum += columns[k];
                double d = range.ToUnit(sum / (s * s)) - range.ToUnit(inputRow[ix]);
                squares += d * d;
                count++;
            }
        }
        if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        if (shorts is not null) ArrayPool<ushort>.Shared.Return(shorts);
        return new SquaredError(squares, count);
    }
}
