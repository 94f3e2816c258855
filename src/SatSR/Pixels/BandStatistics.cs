namespace SatSR.Pixels;

/// <summary>
/// What a sample of one band's valid values says: its extremes (<see cref="Min"/>, <see cref="Max"/>) and robust
/// bounds (<see cref="Low"/>, <see cref="High"/>: percentiles, so a few hot or dead pixels do not squeeze the rest
/// of the band into a sliver of the network's 0..1).
/// </summary>
public readonly record struct BandStatistics(double Min, double Max, double Low, double High)
{
    /// <summary>Percentiles used for <see cref="Low"/> and <see cref="High"/>.</summary>
    public const double LowPercent = 0.1, HighPercent = 99.9;

    /// <summary>
    /// Statistics of <paramref name="values"/> where <paramref name="valid"/> is non-zero (NaN never counts);
    /// null when no value is valid.
    /// </summary>
    public static BandStatistics? Measure(ReadOnlySpan<double> values, ReadOnlySpan<byte> valid)
    {
        var sample = new List<double>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (valid[i] != 0 && !double.IsNaN(values[i])) sample.Add(values[i]);
        }
        if (sample.Count == 0) return null;
        sample.Sort();
        return new BandStatistics(sample[0], sample[^1], Percentile(sample, LowPercent), Percentile(sample, HighPercent));
    }

    /// <summary>The unit range for the network: the robust bounds, or the extremes when those collapse.</summary>
    public BandRange Unit => High > Low ? new BandRange(Low, High) : Max > Min ? new BandRange(Min, Max) : new BandRange(Min, Min + 1);

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(List<double> sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Round(percent / 100 * (sorted.Count - 1)), 0, sorted.Count - 1)];
}
