using SatSR.Pixels;
using SatSR.Raster;

namespace SatSR.Viewer;

/// <summary>
/// How one band's values become screen brightness 0..255: <see cref="Low"/> and below black, <see cref="High"/> and
/// above white, linear between. 8-bit data is shown as stored; other data between its 2nd and 98th percentiles.
/// </summary>
public readonly record struct DisplayStretch(double Low, double High)
{
    public const double LowPercent = 2, HighPercent = 98;

    /// <summary>Values sampled for the percentiles at most: a regular subset beyond that.</summary>
    private const int SampleSize = 1 << 20;

    public static DisplayStretch Byte => new(0, 255);

    /// <summary>The stretch of a band of <paramref name="type"/> from its valid values (NaN never counts).</summary>
    public static DisplayStretch For(RasterDataType type, ReadOnlySpan<double> values, ReadOnlySpan<byte> valid)
    {
        if (type == RasterDataType.Byte) return Byte;
        var step = Math.Max(1, values.Length / SampleSize);
        var sample = new List<double>();
        for (var i = 0; i < values.Length; i += step)
        {
            if (valid[i] != 0 && !double.IsNaN(values[i])) sample.Add(values[i]);
        }
        if (sample.Count == 0) return new DisplayStretch(0, 1);
        sample.Sort();
        double low = BandStatistics.Percentile(sample, LowPercent), high = BandStatistics.Percentile(sample, HighPercent);
        // A band that is nearly constant: its extremes, or one step around its value.
        if (high <= low) (low, high) = sample[^1] > sample[0] ? (sample[0], sample[^1]) : (sample[0] - 0.5, sample[0] + 0.5);
        return new DisplayStretch(low, high);
    }

    public byte ToByte(double value) =>
        (byte)Math.Clamp(Math.Round((value - Low) / (High - Low) * 255, MidpointRounding.AwayFromZero), 0, 255);
}
