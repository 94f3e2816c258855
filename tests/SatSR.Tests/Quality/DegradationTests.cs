using System.Numerics;
using SatSR.Pixels;
using SatSR.Quality;

namespace SatSR.Tests.Quality;

public class DegradationTests
{
    [Fact]
    public void Area_is_the_block_mean_and_a_block_touching_nodata_is_nodata()
    {
        double[] fine =
        [
            1, 2, 10, 20,
            3, 4, 30, 40,
            5, 5, 7, 0,
            5, 6, 9, 9,
        ];
        var valid = fine.Select(v => v == 0 ? (byte)0 : (byte)255).ToArray();
        var coarse = new double[4];
        var coarseValid = new byte[4];
        Degradation.Apply(DegradationKind.Area, 2, fine, valid, 4, 4, 1, coarse, coarseValid);
        Assert.Equal([255, 255, 255, 0], coarseValid);
        Assert.Equal([2.5, 25, 5.25], coarse[..3]);
        Assert.True(double.IsNaN(coarse[3]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Mtf_blur_has_the_stated_gain_at_the_coarse_nyquist(int scale)
    {
        var sigma = Degradation.MtfSigma(scale);
        // σ = (s/π)·√(−2 ln 0.3): 0.987878 for ×2, 1.975757 for ×4 (tools/references/quality_reference.py prints the latter).
        Assert.Equal(scale * 0.4939392, sigma, 6);
        // The response of the sampled kernel of an interior coarse pixel to a cosine at 1/(2s) cycles per fine pixel.
        var axis = ResampleAxis.Gaussian(40 * scale, 40, sigma);
        var centre = 20.5 * scale - 0.5;
        var response = Complex.Zero;
        foreach (var (index, weight) in axis.Taps(20)) response += weight * Complex.FromPolarCoordinates(1, -2 * Math.PI * (index - centre) / (2 * scale));
        Assert.Equal(Degradation.NyquistGain, response.Magnitude, 3);
    }

    /// <summary>
    /// The taps an interior coarse pixel takes, as tools/references/degradation_reference.py computes them from the definition
    /// (σ = (s/π)·√(−2 ln G), sampled at the fine pixels' distances from the block centre, cut at 4σ, normalised).
    /// </summary>
    [Theory]
    [InlineData(4, 0.3, -6, new[] { 0.000150025032, 0.000901456751, 0.004192485905, 0.015091898452, 0.042049582175, 0.090682825336, 0.151367956495, 0.195563769853, 0.195563769853, 0.151367956495, 0.090682825336, 0.042049582175, 0.015091898452, 0.004192485905, 0.000901456751, 0.000150025032 })]
    [InlineData(2, 0.5, -2, new[] { 0.002044370192, 0.071865556213, 0.426090073596, 0.426090073596, 0.071865556213, 0.002044370192 })]
    public void Mtf_kernel_is_the_gaussian_of_the_gain_cut_at_four_sigma(int scale, double gain, int offset, double[] taps)
    {
        var kernel = Degradation.Kernel(scale, gain);
        Assert.Equal(offset, kernel.Offset);
        Assert.Equal(taps.Length, kernel.Weights.Count);
        for (var j = 0; j < taps.Length; j++) Assert.Equal(taps[j], kernel.Weights[j], 11);
    }

    [Fact]
    public void The_default_kernel_is_the_one_eval_applies()
    {
        // A single bright fine pixel at (17, 21) of a dark 64×64: coarse pixel (x, y) = w[17 − 4y − o]·w[21 − 4x − o]·100.
        const int n = 64;
        var fine = new double[n * n];
        fine[17 * n + 21] = 100;
        var coarse = new double[16 * 16];
        Degradation.Apply(DegradationKind.Mtf, 4, fine, TownPairs.AllValid(n * n), n, n, 1, coarse, new byte[16 * 16]);
        var kernel = Degradation.Kernel(4);
        double Weight(int index) => index >= 0 && index < kernel.Weights.Count ? kernel.Weights[index] : 0;
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 16; x++)
                Assert.Equal(100 * Weight(17 - 4 * y - kernel.Offset) * Weight(21 - 4 * x - kernel.Offset), coarse[y * 16 + x], 12);
    }

    [Theory]
    [InlineData(DegradationKind.Mixed)]
    [InlineData(DegradationKind.RealEsrgan)]
    public void Random_kinds_are_left_to_the_trainer(DegradationKind kind)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Degradation.Apply(kind, 2, new double[16], new byte[16], 4, 4, 1, new double[4], new byte[4]));
    }

    [Fact]
    public void Mtf_near_nodata_uses_valid_pixels_only()
    {
        // A flat image with a nodata block: every valid coarse pixel stays exactly flat.
        const int n = 32;
        var fine = new double[n * n];
        var valid = new byte[n * n];
        for (var i = 0; i < fine.Length; i++)
        {
            var hole = i / n is >= 8 and < 16 && i % n is >= 12 and < 20;
            fine[i] = hole ? 9999 : 50;
            valid[i] = hole ? (byte)0 : (byte)255;
        }
        var coarse = new double[64];
        var coarseValid = new byte[64];
        Degradation.Apply(DegradationKind.Mtf, 4, fine, valid, n, n, 1, coarse, coarseValid);
        Assert.Equal(60, coarseValid.Count(v => v != 0)); // the hole spans block rows 2–3 and block columns 3–4
        for (var i = 0; i < 64; i++)
        {
            if (coarseValid[i] != 0) Assert.Equal(50, coarse[i], 9);
        }
    }

    [Theory]
    [InlineData(DegradationKind.Area)]
    [InlineData(DegradationKind.Mtf)]
    public void A_block_whose_only_nodata_pixel_is_in_its_last_row_is_nodata(DegradationKind kind)
    {
        // 6×6 at ×3: four 3×3 blocks. The one nodata fine pixel is (row 5, column 1): the last row of the bottom-left
        // block (fine rows 3–5, columns 0–2), so that block, and only it, is nodata (by hand: blocks TL, TR, BL, BR).
        const int n = 6;
        var fine = Enumerable.Repeat(40.0, n * n).ToArray();
        var valid = Enumerable.Repeat((byte)255, n * n).ToArray();
        fine[5 * n + 1] = 0;
        valid[5 * n + 1] = 0;
        var coarse = new double[4];
        var coarseValid = new byte[4];
        Degradation.Apply(kind, 3, fine, valid, n, n, 1, coarse, coarseValid);
        Assert.Equal([255, 255, 0, 255], coarseValid);
        Assert.True(double.IsNaN(coarse[2]));
        Assert.Equal(40, coarse[0], 9);
    }

    [Fact]
    public void A_size_that_is_not_whole_blocks_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Degradation.Apply(DegradationKind.Area, 4, new double[30], new byte[30], 6, 5, 1, new double[1], new byte[1]));
    }
}

public class BaselineTests
{
    /// <summary>
    /// Unrounded ×4 of the 8×8 area mean of the town's top-left 32×32, against PIL 9.4's float resampler
    /// (edge-replicated: tools/references/quality_reference.py pads and resizes the inner box).
    /// </summary>
    [Theory]
    [InlineData(Baseline.Bicubic, new[] { 0, 0, 3, 17, 16, 16, 31, 5, 22, 29 }, new[] { 155.740005, 182.875031, 207.348145, 227.745911, 181.096313 })]
    [InlineData(Baseline.Lanczos, new[] { 0, 0, 3, 17, 16, 16, 31, 5, 22, 29 }, new[] { 152.907318, 184.374466, 213.451263, 228.423660, 179.815048 })]
    public void Upsampling_matches_pil(Baseline kind, int[] rowColumn, double[] expected)
    {
        var town = TownPairs.Town();
        var coarse = new double[64];
        for (var y = 0; y < 32; y++)
            for (var x = 0; x < 32; x++)
                coarse[y / 4 * 8 + x / 4] += town[y * TownPairs.Side + x] / 16;
        var fine = new double[32 * 32];
        Baselines.Upsample(kind, 4, coarse, TownPairs.AllValid(64), 8, 8, 1, fine);
        for (var k = 0; k < expected.Length; k++)
        {
            // PIL keeps float32 between its two passes: agreement to 1e-3.
            Assert.Equal(expected[k], fine[rowColumn[2 * k] * 32 + rowColumn[2 * k + 1]], 3);
        }
    }
}
