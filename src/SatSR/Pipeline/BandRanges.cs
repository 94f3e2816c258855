using SatSR.Geometry;
using SatSR.Pixels;
using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>Per-band value ranges mapped to the network's 0..1, measured once over the whole image.</summary>
internal static class BandRanges
{
    /// <summary>Pixels sampled for statistics: GDAL decimates the image to at most this many.</summary>
    private const int SampleSide = 1024;

    public static BandRange[] Measure(RasterDataset source, Validity validity)
    {
        var profile = source.Profile;
        if (profile.DataType == RasterDataType.Byte) return Enumerable.Repeat(BandRange.Byte, profile.BandCount).ToArray();

        var factor = Math.Max(1.0, Math.Max(profile.Width, profile.Height) / (double)SampleSide);
        int w = Math.Max(1, (int)(profile.Width / factor)), h = Math.Max(1, (int)(profile.Height / factor));
        var bands = Enumerable.Range(1, profile.BandCount).ToArray();
        var values = new double[bands.Length * w * h];
        var whole = new Window(0, 0, profile.Width, profile.Height);
        source.ReadResampled(whole, w, h, bands, values);
        var valid = new byte[w * h];
        validity.EvaluateValues(w * h, values, valid);

        var ranges = new BandRange[bands.Length];
        for (var b = 0; b < bands.Length; b++)
        {
            double lo = double.MaxValue, hi = double.MinValue;
            for (var i = 0; i < w * h; i++)
            {
                var v = values[b * w * h + i];
                if (valid[i] == 0 || double.IsNaN(v)) continue;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
            ranges[b] = lo <= hi ? new BandRange(lo, hi > lo ? hi : lo + 1) : new BandRange(0, 1);
        }
        return ranges;
    }
}
