using SatSR.Geometry;

namespace SatSR.Pixels;

/// <summary>
/// Separable 2-D resampling of windows of a plane that has nodata: a source pixel marked invalid weighs nothing and
/// the remaining weights renormalise, so a hole never darkens (or brightens) the valid pixels beside it. Reuses its
/// buffers from window to window.
/// </summary>
public sealed class MaskedResampler(ResampleAxis columns, ResampleAxis rows)
{
    private double[] _sums = [], _weights = [];

    /// <summary>The source window destination window <paramref name="target"/> needs.</summary>
    public Window SourceFor(Window target)
    {
        var (left, right) = columns.Support(target.Column, target.Right);
        var (top, bottom) = rows.Support(target.Row, target.Bottom);
        return Window.FromEdges(left, top, right, bottom);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (row-major over <paramref name="target"/>) from <paramref name="source"/> and
    /// <paramref name="valid"/> (row-major over <paramref name="read"/>, which contains <see cref="SourceFor"/>(target)).
    /// A destination pixel that no valid source pixel reaches is NaN.
    /// </summary>
    public void Apply(ReadOnlySpan<double> source, ReadOnlySpan<byte> valid, Window read, Window target, Span<double> destination)
    {
        if (!read.Contains(SourceFor(target))) throw new ArgumentException($"{read} does not hold the source of {target}", nameof(read));
        int n = read.Height * target.Width;
        if (_sums.Length < n)
        {
            _sums = new double[n];
            _weights = new double[n];
        }

        // Across first: per source row, the weighted sum of the valid samples and the weight they carry.
        for (var y = 0; y < read.Height; y++)
        {
            var row = source.Slice(y * read.Width, read.Width);
            var mask = valid.Slice(y * read.Width, read.Width);
            for (var x = 0; x < target.Width; x++)
            {
                double sum = 0, weight = 0;
                foreach (var (index, w) in columns.Taps(target.Column + x))
                {
                    var i = index - read.Column;
                    if (mask[i] == 0) continue;
                    sum += w * row[i];
                    weight += w;
                }
                _sums[y * target.Width + x] = sum;
                _weights[y * target.Width + x] = weight;
            }
        }

        // Then down, carrying both, so each output is Σ wx·wy·v / Σ wx·wy over the valid source pixels.
        for (var y = 0; y < target.Height; y++)
        {
            var taps = rows.Taps(target.Row + y);
            for (var x = 0; x < target.Width; x++)
            {
                double sum = 0, weight = 0;
                foreach (var (index, w) in taps)
                {
                    var i = (index - read.Row) * target.Width + x;
                    sum += w * _sums[i];
                    weight += w * _weights[i];
                }
                destination[y * target.Width + x] = weight > 0 ? sum / weight : double.NaN;
            }
        }
    }
}
