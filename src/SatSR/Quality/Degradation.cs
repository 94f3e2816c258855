using SatSR.Geometry;
using SatSR.Pixels;

namespace SatSR.Quality;

/// <summary>How a high-resolution image is turned into the low-resolution one a model is tested on.</summary>
public enum DegradationKind
{
    /// <summary>The mean of each s×s block (Wald's protocol: the coarse pixel integrates the fine ones).</summary>
    Area,

    /// <summary>
    /// A Gaussian blur whose modulation transfer function is <see cref="Degradation.NyquistGain"/> at the coarse
    /// grid's Nyquist frequency (as sensors' MTFs are, roughly), sampled at the block centres.
    /// </summary>
    Mtf,
}

/// <summary>
/// Degrades a high-resolution image by an integer scale s onto the grid s times coarser over the same extent: coarse
/// pixel (x, y) covers fine pixels [x·s, x·s + s) × [y·s, y·s + s). A coarse pixel is nodata when any fine pixel of
/// its block is, so every valid coarse value comes from valid data only.
/// </summary>
public static class Degradation
{
    /// <summary>The MTF's gain at the coarse Nyquist frequency 1/(2s) cycles per fine pixel.</summary>
    public const double NyquistGain = 0.3;

    /// <summary>
    /// σ (fine pixels) of the Gaussian whose MTF, exp(−2π²σ²f²), is <see cref="NyquistGain"/> at f = 1/(2s):
    /// σ = (s/π)·√(−2·ln G); 1.976 for s = 4.
    /// </summary>
    public static double MtfSigma(int scale) => scale / Math.PI * Math.Sqrt(-2 * Math.Log(NyquistGain));

    /// <summary>
    /// Writes the degraded planes (band-major, (width/s)×(height/s) each) into <paramref name="coarse"/> and their
    /// validity into <paramref name="coarseValid"/> (0 or 255); invalid coarse values are NaN. <paramref name="fine"/>
    /// holds <paramref name="bands"/> planes of width×height, <paramref name="valid"/> one mask for all of them; width
    /// and height must be multiples of <paramref name="scale"/>. Near nodata (and the edges, which are replicated) the
    /// MTF's kernel takes only valid fine pixels, renormalised.
    /// </summary>
    public static void Apply(DegradationKind kind, int scale, ReadOnlySpan<double> fine, ReadOnlySpan<byte> valid, int width, int height, int bands,
        Span<double> coarse, Span<byte> coarseValid)
    {
        if (scale < 1 || width % scale != 0 || height % scale != 0)
        {
            throw new ArgumentException($"{width}×{height} is not a whole number of {scale}×{scale} blocks");
        }
        int cw = width / scale, ch = height / scale;
        var resampler = kind switch
        {
            DegradationKind.Area => new MaskedResampler(ResampleAxis.Create(width, cw), ResampleAxis.Create(height, ch)),
            _ => new MaskedResampler(ResampleAxis.Gaussian(width, cw, MtfSigma(scale)), ResampleAxis.Gaussian(height, ch, MtfSigma(scale))),
        };
        BlockValidity(valid, width, scale, cw, ch, coarseValid);
        Window all = new(0, 0, width, height), target = new(0, 0, cw, ch);
        for (var b = 0; b < bands; b++)
        {
            var plane = coarse.Slice(b * cw * ch, cw * ch);
            resampler.Apply(fine.Slice(b * width * height, width * height), valid, all, target, plane);
            for (var i = 0; i < plane.Length; i++)
            {
                if (coarseValid[i] == 0) plane[i] = double.NaN;
            }
        }
    }

    private static void BlockValidity(ReadOnlySpan<byte> valid, int width, int s, int cw, int ch, Span<byte> coarseValid)
    {
        for (var y = 0; y < ch; y++)
        {
            for (var x = 0; x < cw; x++)
            {
                var all = true;
                for (var dy = 0; dy < s && all; dy++)
                {
                    all = !valid.Slice((y * s + dy) * width + x * s, s).Contains((byte)0);
                }
                coarseValid[y * cw + x] = all ? (byte)255 : (byte)0;
            }
        }
    }
}
