namespace SatSR.Quality;

/// <summary>A sum of local SSIM values and how many windows went in; adds up across images of one band.</summary>
public readonly record struct SsimScore(double Sum, long Windows)
{
    public static SsimScore operator +(SsimScore a, SsimScore b) => new(a.Sum + b.Sum, a.Windows + b.Windows);

    /// <summary>Mean SSIM; NaN when no window was measured.</summary>
    public double Mean => Windows == 0 ? double.NaN : Sum / Windows;
}

/// <summary>
/// Structural similarity (Wang, Bovik, Sheikh &amp; Simoncelli 2004) as their <c>ssim_index.m</c> and scikit-image's
/// <c>structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)</c> compute it: local
/// means, variances and covariance under an 11×11 Gaussian window of σ = 1.5, C1 = (0.01·L)², C2 = (0.03·L)², the
/// mean taken over every window that lies wholly inside the image. A window that covers an invalid pixel is left out.
/// </summary>
public static class Ssim
{
    public const int WindowSize = 11;
    public const double Sigma = 1.5, K1 = 0.01, K2 = 0.03;

    private const int Radius = WindowSize / 2;
    private const int Maps = 5; // x, y, x², y², x·y

    private static readonly double[] Weights = GaussianWeights();

    /// <summary>
    /// SSIM of <paramref name="test"/> against <paramref name="reference"/> (both width×height, row-major) with dynamic
    /// range <paramref name="dataRange"/> (L: 255 for 8-bit data).
    /// </summary>
    public static SsimScore Measure(ReadOnlySpan<double> reference, ReadOnlySpan<double> test, ReadOnlySpan<byte> valid, int width, int height, double dataRange)
    {
        if (reference.Length != width * height || test.Length != reference.Length || valid.Length != reference.Length)
        {
            throw new ArgumentException("reference, test and mask must each have width×height values");
        }
        if (!(dataRange > 0)) throw new ArgumentOutOfRangeException(nameof(dataRange), "the data range must be positive");
        if (width < WindowSize || height < WindowSize) return new SsimScore(0, 0);

        double c1 = K1 * dataRange * K1 * dataRange, c2 = K2 * dataRange * K2 * dataRange;
        var ow = width - WindowSize + 1;
        // The last WindowSize rows filtered across, in a ring: each output row filters them down.
        var across = new double[WindowSize * Maps * ow];
        var clean = new bool[WindowSize * ow];
        var score = new SsimScore(0, 0);
        for (var y = 0; y < height; y++)
        {
            var slot = y % WindowSize;
            FilterRow(reference.Slice(y * width, width), test.Slice(y * width, width), valid.Slice(y * width, width),
                across.AsSpan(slot * Maps * ow, Maps * ow), clean.AsSpan(slot * ow, ow));
            if (y < WindowSize - 1) continue;
            for (var x = 0; x < ow; x++)
            {
                double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                var ok = true;
                for (var k = 0; k < WindowSize && ok; k++)
                {
                    var s = (y - WindowSize + 1 + k) % WindowSize;
                    ok = clean[s * ow + x];
                    var w = Weights[k];
                    var row = across.AsSpan(s * Maps * ow, Maps * ow);
                    mx += w * row[x];
                    my += w * row[ow + x];
                    mxx += w * row[2 * ow + x];
                    myy += w * row[3 * ow + x];
                    mxy += w * row[4 * ow + x];
                }
                if (!ok) continue;
                double vx = mxx - mx * mx, vy = myy - my * my, cxy = mxy - mx * my;
                var ssim = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                score += new SsimScore(ssim, 1);
            }
        }
        return score;
    }

    /// <summary>One row's five maps filtered across ('valid' positions only), and whether each window is all valid.</summary>
    private static void FilterRow(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<byte> valid, Span<double> maps, Span<bool> clean)
    {
        var ow = clean.Length;
        var invalid = 0;
        for (var i = 0; i < WindowSize - 1; i++) invalid += valid[i] == 0 ? 1 : 0;
        for (var c = 0; c < ow; c++)
        {
            invalid += valid[c + WindowSize - 1] == 0 ? 1 : 0;
            clean[c] = invalid == 0;
            invalid -= valid[c] == 0 ? 1 : 0;
            double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (var k = 0; k < WindowSize; k++)
            {
                double w = Weights[k], a = x[c + k], b = y[c + k];
                sx += w * a;
                sy += w * b;
                sxx += w * a * a;
                syy += w * b * b;
                sxy += w * a * b;
            }
            maps[c] = sx;
            maps[ow + c] = sy;
            maps[2 * ow + c] = sxx;
            maps[3 * ow + c] = syy;
            maps[4 * ow + c] = sxy;
        }
    }

    /// <summary>exp(−k²/2σ²) for k = −5..5, normalised to sum 1 (the 2-D window is their outer product).</summary>
    private static double[] GaussianWeights()
    {
        var w = Enumerable.Range(-Radius, WindowSize).Select(k => Math.Exp(-k * k / (2 * Sigma * Sigma))).ToArray();
        var sum = w.Sum();
        return w.Select(v => v / sum).ToArray();
    }
}
