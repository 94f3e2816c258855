using SatSR.Geometry;
using SatSR.Pixels;

namespace SatSR.Quality;

/// <summary>The classical interpolations a model is measured against.</summary>
public enum Baseline
{
    /// <summary>Keys' cubic convolution, a = −0.5 (PIL's and MATLAB's bicubic).</summary>
    Bicubic,

    /// <summary>Lanczos-3 (PIL's LANCZOS; SatSR's own enlarging kernel).</summary>
    Lanczos,
}

/// <summary>Enlarges an image by an integer scale with a <see cref="Baseline"/> interpolation, on pixel centres over the same extent.</summary>
public static class Baselines
{
    /// <summary>
    /// Writes <paramref name="bands"/> planes of (width·s)×(height·s) into <paramref name="fine"/> from the planes of
    /// width×height in <paramref name="coarse"/>. Nodata pixels (<paramref name="valid"/> 0) weigh nothing and the
    /// others renormalise; a fine pixel no valid pixel reaches is NaN. Edges are replicated.
    /// </summary>
    public static void Upsample(Baseline kind, int scale, ReadOnlySpan<double> coarse, ReadOnlySpan<byte> valid, int width, int height, int bands, Span<double> fine)
    {
        int fw = width * scale, fh = height * scale;
        var resampler = kind switch
        {
            Baseline.Bicubic => new MaskedResampler(ResampleAxis.Bicubic(width, fw), ResampleAxis.Bicubic(height, fh)),
            _ => new MaskedResampler(ResampleAxis.Create(width, fw), ResampleAxis.Create(height, fh)),
        };
        Window read = new(0, 0, width, height), target = new(0, 0, fw, fh);
        for (var b = 0; b < bands; b++)
        {
            resampler.Apply(coarse.Slice(b * width * height, width * height), valid, read, target, fine.Slice(b * fw * fh, fw * fh));
        }
    }
}
