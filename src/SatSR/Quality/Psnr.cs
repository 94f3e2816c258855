using SatSR.Pixels;

namespace SatSR.Quality;

/// <summary>Peak signal-to-noise ratio of an image against a reference, over the pixels both have.</summary>
public static class Psnr
{
    /// <summary>
    /// The squared error between <paramref name="reference"/> and <paramref name="test"/> where <paramref name="valid"/>
    /// is non-zero, in units of <paramref name="peak"/>: its <see cref="SquaredError.Psnr"/> is
    /// 10·log10(peak² / MSE), and errors of several bands add up to one figure.
    /// </summary>
    public static SquaredError Measure(ReadOnlySpan<double> reference, ReadOnlySpan<double> test, ReadOnlySpan<byte> valid, double peak)
    {
        if (test.Length != reference.Length || valid.Length != reference.Length) throw new ArgumentException("reference, test and mask must have one length");
        if (!(peak > 0)) throw new ArgumentOutOfRangeException(nameof(peak), "the peak must be positive");
        double sum = 0;
        long count = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (valid[i] == 0) continue;
            var d = (reference[i] - test[i]) / peak;
            sum += d * d;
            count++;
        }
        return new SquaredError(sum, count);
    }
}
