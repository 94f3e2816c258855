using SatSR.Geometry;
using SatSR.Pixels;
using SatSR.Raster;

namespace SatSR.Radiometry;

/// <summary>
/// How one band is scaled: <see cref="Unit"/> maps its values to the network's 0..1 (and back, exactly);
/// <see cref="Valid"/> is the range its output values are clamped to.
/// </summary>
internal readonly record struct BandScale(BandRange Unit, BandRange Valid);

/// <summary>Per-band scaling, measured once over the whole image (never per tile, so tiles agree in brightness).</summary>
internal static class BandRanges
{
    /// <summary>Pixels sampled for statistics: GDAL decimates the image to at most this many.</summary>
    private const int SampleSide = 1024;

    /// <summary>
    /// 8-bit: /255 and the whole type. Unsigned integers with a declared bit depth (NBITS, as 11- and 12-bit products
    /// carry): 0..2ⁿ−1, the same mapping as 8-bit's, so an 11-bit image looks to the network as its 8-bit version
    /// does. Other data by <paramref name="stretch"/>: <see cref="Stretch.BitDepth"/> (the default, see
    /// <see cref="DepthRange"/>) depends on the content only through the bit depth its values need, so neighbouring
    /// scenes of one sensor get one mapping; <see cref="Stretch.Percentile"/> maps the robust percentiles of a
    /// decimated read (nodata ignored) to 0..1. Except for 8-bit the clamp stays at the observed extremes, so no valid
    /// value is cut. <paramref name="overrides"/> replace the unit range (a band's own entry wins over an all-bands one).
    /// </summary>
    public static BandScale[] Measure(RasterDataset source, Validity validity, IReadOnlyList<RangeOverride> overrides, Stretch stretch = Stretch.BitDepth)
    {
        var profile = source.Profile;
        var measured = profile.DataType == RasterDataType.Byte
            ? Enumerable.Repeat(new BandScale(BandRange.Byte, BandRange.Byte), profile.BandCount).ToArray()
            : Sample(source, validity, stretch, SampleEncoder.For(profile.DataType, null).IsInteger);
        if (profile.DataType is RasterDataType.UInt16 or RasterDataType.UInt32 && profile.BitDepth is { } bits and > 0 and < 32)
        {
            measured = measured.Select(scale => scale with { Unit = new BandRange(0, (1L << bits) - 1) }).ToArray();
        }
        return measured.Select((scale, i) => OverrideFor(overrides, i + 1) is { } unit ? scale with { Unit = unit } : scale).ToArray();
    }

    /// <summary>
    /// The content-independent range of values between <paramref name="min"/> and <paramref name="max"/>. Integers: from 0
    /// (or, below a negative minimum, from −2ᵏ, the nearest power of two down) to the top of the smallest bit depth
    /// of at least 8 that holds the maximum: 11-bit data in UInt16 maps 0..2047, as its 8-bit version maps 0..255.
    /// Floats: from 0 (or −2ᵏ likewise) to the smallest power of two at or above the maximum, so reflectance in
    /// 0..1 maps as it is and 0..10000 maps 0..16384.
    /// </summary>
    public static BandRange DepthRange(double min, double max, bool integer)
    {
        var low = min >= 0 ? 0 : -PowerOfTwoAtLeast(-min);
        if (!integer)
        {
            var high = max > 0 ? PowerOfTwoAtLeast(max) : 0;
            return new BandRange(low, high > low ? high : low + 1);
        }
        var bits = 8;
        while (low + Math.Pow(2, bits) - 1 < max) bits++;
        return new BandRange(low, low + Math.Pow(2, bits) - 1);
    }

    /// <summary>One encoder per band: valid outputs stay inside the value range the band actually has (8-bit: the whole type).</summary>
    public static SampleEncoder[] Encoders(BandScale[] scales, RasterDataType type, double? nodata) => scales
        .Select(r => SampleEncoder.For(type, nodata) with { ValidMin = r.Valid.Low, ValidMax = r.Valid.High })
        .ToArray();

    private static BandRange? OverrideFor(IReadOnlyList<RangeOverride> overrides, int band)
    {
        var chosen = overrides.Where(o => o.Band == band).Select(o => (RangeOverride?)o).LastOrDefault()
            ?? overrides.Where(o => o.Band is null).Select(o => (RangeOverride?)o).LastOrDefault();
        return chosen is { } o ? new BandRange(o.Low, o.High) : null;
    }

    private static double PowerOfTwoAtLeast(double v) => Math.Pow(2, Math.Ceiling(Math.Log2(v)));

    private static BandScale[] Sample(RasterDataset source, Validity validity, Stretch stretch, bool integer)
    {
        var profile = source.Profile;
        var factor = Math.Max(1.0, Math.Max(profile.Width, profile.Height) / (double)SampleSide);
        int w = Math.Max(1, (int)(profile.Width / factor)), h = Math.Max(1, (int)(profile.Height / factor));
        var bands = Enumerable.Range(1, profile.BandCount).ToArray();
        var values = new double[bands.Length * w * h];
        source.ReadResampled(new Window(0, 0, profile.Width, profile.Height), w, h, bands, values);
        var valid = new byte[w * h];
        validity.EvaluateValues(w * h, values, valid);
        return bands.Select(b => BandStatistics.Measure(values.AsSpan((b - 1) * w * h, w * h), valid) is { } s
            ? new BandScale(stretch == Stretch.Percentile ? s.Unit : DepthRange(s.Min, s.Max, integer), new BandRange(s.Min, s.Max))
            : new BandScale(new BandRange(0, 1), new BandRange(0, 1))).ToArray();
    }
}
