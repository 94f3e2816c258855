using SatSR.Pixels;

namespace SatSR.Quality;

/// <summary>PSNR (dB) and mean SSIM of an image against its reference.</summary>
public readonly record struct Score(double Psnr, double Ssim);

/// <summary>
/// An image's score against its reference and each band's, as <c>satsr eval</c> reports it and the trainer validates:
/// the overall PSNR pools every band's squared error in units of its own peak, the overall SSIM is the mean of the
/// bands'.
/// </summary>
public sealed record Scores(Score Overall, IReadOnlyList<Score> Bands)
{
    /// <summary>
    /// Scores the planes of <paramref name="test"/> against those of <paramref name="reference"/> (band-major,
    /// width×height each, one per entry of <paramref name="peaks"/>) where <paramref name="valid"/> is non-zero: each
    /// band's <see cref="Psnr"/> with its peak and <see cref="Ssim"/> with it as the data range.
    /// </summary>
    public static Scores Measure(ReadOnlySpan<double> reference, ReadOnlySpan<double> test, ReadOnlySpan<byte> valid, int width, int height, IReadOnlyList<double> peaks)
    {
        var n = width * height;
        if (reference.Length != peaks.Count * n || test.Length != reference.Length) throw new ArgumentException("reference and test must each hold one width×height plane per peak");
        var pooled = new SquaredError(0, 0);
        var bands = new Score[peaks.Count];
        for (var k = 0; k < bands.Length; k++)
        {
            ReadOnlySpan<double> plane = reference.Slice(k * n, n), estimate = test.Slice(k * n, n);
            var error = Psnr.Measure(plane, estimate, valid, peaks[k]);
            pooled += error;
            bands[k] = new Score(error.Psnr, Ssim.Measure(plane, estimate, valid, width, height, peaks[k]).Mean);
        }
        return new Scores(new Score(pooled.Psnr, bands.Average(b => b.Ssim)), bands);
    }
}
