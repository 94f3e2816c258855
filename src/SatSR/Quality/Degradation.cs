using SatSR.Geometry;
using SatSR.Pixels;

namespace SatSR.Quality;

/// <summary>How a high-resolution image is turned into the low-resolution one a model is trained or tested on.</summary>
public enum DegradationKind
{
    /// <summary>The mean of each s×s block (Wald's protocol: the coarse pixel integrates the fine ones).</summary>
    Area,

    /// <summary>
    /// A Gaussian blur whose modulation transfer function is <see cref="Degradation.NyquistGain"/> (or the gain given)
    /// at the coarse grid's Nyquist frequency (as sensors' MTFs are, roughly), sampled at the block centres.
    /// </summary>
    Mtf,

    /// <summary>Real-ESRGAN's second-order blur / resize / noise / JPEG pipeline: random, so only the trainer makes it.</summary>
    RealEsrgan,

    /// <summary>
    /// Per patch, <see cref="Area"/> or <see cref="Mtf"/> of a random gain, then mild noise: random, so only the trainer
    /// makes it (a model for sensors it has not seen, which neither learns one kernel nor sharpens area-averaged input
    /// into ringing).
    /// </summary>
    Mixed,
}

/// <summary>
/// The taps of the MTF blur for one coarse pixel away from the edges: coarse pixel x takes fine pixels
/// x·s + <see cref="Offset"/> + j with weight <see cref="Weights"/>[j] (they sum to 1); past an edge the edge pixel
/// is taken.
/// </summary>
public sealed record MtfKernel(int Offset, IReadOnlyList<double> Weights);

/// <summary>
/// Degrades a high-resolution image by an integer scale s onto the grid s times coarser over the same extent: coarse
/// pixel (x, y) covers fine pixels [x·s, x·s + s) × [y·s, y·s + s). A coarse pixel is nodata when any fine pixel of
/// its block is, so every valid coarse value comes from valid data only. The one definition <c>satsr eval</c> and the
/// trainer share (the trainer applies <see cref="Kernel"/>'s taps to tensors).
/// </summary>
public static class Degradation
{
    /// <summary>The MTF's gain at the coarse Nyquist frequency 1/(2s) cycles per fine pixel that eval uses.</summary>
    public const double NyquistGain = 0.3;

    /// <summary>
    /// σ (fine pixels) of the Gaussian whose MTF, exp(−2π²σ²f²), is <paramref name="gain"/> at f = 1/(2s):
    /// σ = (s/π)·√(−2·ln G); 1.976 for s = 4 and G = 0.3.
    /// </summary>
    public static double MtfSigma(int scale, double gain = NyquistGain) => scale / Math.PI * Math.Sqrt(-2 * Math.Log(gain));

    /// <summary>
    /// The MTF blur's taps at <paramref name="scale"/> for a gain of <paramref name="gain"/> at Nyquist: those
    /// <see cref="Apply"/> gives an interior coarse pixel (a Gaussian of <see cref="MtfSigma"/> on pixel centres, as
    /// <see cref="ResampleAxis.Gaussian"/> cuts and normalises it).
    /// </summary>
    public static MtfKernel Kernel(int scale, double gain = NyquistGain)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), "the scale must be positive");
        if (gain is not (> 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(gain), "the gain must lie between 0 and 1");
        var sigma = MtfSigma(scale, gain);
        // The middle pixel of a grid wide enough that its taps reach no edge (where they would fold onto the edge pixel).
        for (var coarse = 3; ; coarse *= 2)
        {
            var middle = coarse / 2;
            var taps = ResampleAxis.Gaussian(coarse * scale, coarse, sigma).Taps(middle);
            if (taps[0].Index > 0 && taps[^1].Index < coarse * scale - 1)
            {
                return new MtfKernel(taps[0].Index - middle * scale, taps.ToArray().Select(t => t.Weight).ToArray());
            }
        }
    }

    /// <summary>
    /// Writes the degraded planes (band-major, (width/s)×(height/s) each) into <paramref name="coarse"/> and their
    /// validity into <paramref name="coarseValid"/> (0 or 255); invalid coarse values are NaN. <paramref name="fine"/>
    /// holds <paramref name="bands"/> planes of width×height, <paramref name="valid"/> one mask for all of them; width
    /// and height must be multiples of <paramref name="scale"/>. Near nodata (and the edges, which are replicated) the
    /// MTF's kernel takes only valid fine pixels, renormalised. Only <see cref="DegradationKind.Area"/> and
    /// <see cref="DegradationKind.Mtf"/> (gain <see cref="NyquistGain"/>) are made here.
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
            DegradationKind.Mtf => new MaskedResampler(ResampleAxis.Gaussian(width, cw, MtfSigma(scale)), ResampleAxis.Gaussian(height, ch, MtfSigma(scale))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"{kind} is random: only the trainer makes it"),
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
