using SatSR.Quality;

namespace SatSR.Tests.Quality;

/// <summary>
/// The town crop of the CBERS scene and two deterministic distortions of it, shared with tools/references/quality_reference.py,
/// which computed the expected figures with scikit-image 0.19 (<c>/usr/bin/python3 tools/references/quality_reference.py</c>).
/// </summary>
internal static class TownPairs
{
    public const int Side = 256;

    public static double[] Town() => TestRasters.ReadAll(TestFiles.Fixture("cbers2b_pan_town_256.tif"), out _);

    /// <summary>Shifted one column right, the first column repeated.</summary>
    public static double[] Shifted(double[] town) =>
        Enumerable.Range(0, town.Length).Select(i => town[i / Side * Side + Math.Max(i % Side - 1, 0)]).ToArray();

    /// <summary>town + ((7r + 13c) mod 11) − 5, clipped to 0..255.</summary>
    public static double[] Noisy(double[] town) =>
        Enumerable.Range(0, town.Length).Select(i => Math.Clamp(town[i] + (7 * (i / Side) + 13 * (i % Side)) % 11 - 5, 0, 255)).ToArray();

    public static double[] Distorted(string name, double[] town) => name == "shifted" ? Shifted(town) : Noisy(town);

    public static byte[] AllValid(int n) => Enumerable.Repeat((byte)255, n).ToArray();
}

public class PsnrTests
{
    [Fact]
    public void Psnr_is_ten_log_of_peak_squared_over_the_mse_of_valid_pixels()
    {
        // Squared errors 4, 0, 9 over the valid pixels (the fourth is nodata): MSE 13/3.
        var error = Psnr.Measure([10, 20, 30, 40], [12, 20, 27, 1000], [255, 255, 255, 0], peak: 255);
        Assert.Equal(3, error.Count);
        Assert.Equal(41.762582632807, error.Psnr, 9);
    }

    [Theory]
    [InlineData("shifted", 25.4171788514)]
    [InlineData("noisy", 38.3428523322)]
    public void Psnr_matches_scikit_image(string distortion, double expected)
    {
        var town = TownPairs.Town();
        var error = Psnr.Measure(town, TownPairs.Distorted(distortion, town), TownPairs.AllValid(town.Length), 255);
        Assert.Equal(expected, error.Psnr, 8);
    }
}

public class SsimTests
{
    [Fact]
    public void An_image_is_fully_similar_to_itself()
    {
        var town = TownPairs.Town();
        var score = Ssim.Measure(town, town, TownPairs.AllValid(town.Length), TownPairs.Side, TownPairs.Side, 255);
        Assert.Equal(1.0, score.Mean, 12);
        Assert.Equal(246L * 246, score.Windows);
    }

    [Fact]
    public void Two_flat_images_differ_only_in_luminance()
    {
        // No variance: SSIM = (2ab + C1) / (a² + b² + C1), C1 = (0.01·255)² = 6.5025; 12×11 holds two windows.
        var a = Enumerable.Repeat(100.0, 12 * 11).ToArray();
        var b = Enumerable.Repeat(110.0, 12 * 11).ToArray();
        var score = Ssim.Measure(a, b, TownPairs.AllValid(a.Length), 12, 11, 255);
        Assert.Equal(2, score.Windows);
        Assert.Equal(22006.5025 / 22106.5025, score.Mean, 12);
    }

    [Theory]
    [InlineData("shifted", 0.8334300481)]
    [InlineData("noisy", 0.9832595382)]
    public void Ssim_matches_scikit_image(string distortion, double expected)
    {
        var town = TownPairs.Town();
        var score = Ssim.Measure(town, TownPairs.Distorted(distortion, town), TownPairs.AllValid(town.Length), TownPairs.Side, TownPairs.Side, 255);
        Assert.Equal(expected, score.Mean, 9);
    }

    /// <summary>On the 0..1 scale with data range 1 (as the trainer validates), a 3×3 hole: Wang et al.'s formula in numpy (tools/references/degradation_reference.py).</summary>
    [Fact]
    public void Ssim_of_unit_range_data_with_a_hole_matches_the_formula()
    {
        var town = TownPairs.Town();
        var noisy = TownPairs.Noisy(town);
        var valid = TownPairs.AllValid(town.Length);
        for (var y = 100; y < 103; y++)
            for (var x = 100; x < 103; x++) valid[y * TownPairs.Side + x] = 0;
        var score = Ssim.Measure(town.Select(v => v / 255).ToArray(), noisy.Select(v => v / 255).ToArray(), valid, TownPairs.Side, TownPairs.Side, 1);
        Assert.Equal(60347, score.Windows);
        Assert.Equal(0.983245828510, score.Mean, 10);
    }

    [Fact]
    public void Windows_over_a_nodata_pixel_are_left_out()
    {
        var town = TownPairs.Town();
        var valid = TownPairs.AllValid(town.Length);
        valid[100 * TownPairs.Side + 100] = 0;
        var noisy = TownPairs.Noisy(town);
        noisy[100 * TownPairs.Side + 100] = double.NaN; // a hole's value must not reach any window
        var score = Ssim.Measure(town, noisy, valid, TownPairs.Side, TownPairs.Side, 255);
        Assert.Equal(246L * 246 - 11 * 11, score.Windows);
        Assert.InRange(score.Mean, 0.98, 0.99);
    }
}

public class ScoresTests
{
    [Fact]
    public void Bands_pool_their_squared_errors_and_average_their_ssim()
    {
        // Band 1 town against shifted, band 2 against noisy (scikit-image: 25.4171788514 / 0.8334300481 and
        // 38.3428523322 / 0.9832595382). Pooled by hand: MSE = 255²·10^(−PSNR/10) each, 186.793808 and 9.523468, whose
        // mean gives 28.2115183716 dB; the SSIM is the mean of the two.
        var town = TownPairs.Town();
        var scores = Scores.Measure([.. town, .. town], [.. TownPairs.Shifted(town), .. TownPairs.Noisy(town)], TownPairs.AllValid(town.Length),
            TownPairs.Side, TownPairs.Side, [255, 255]);
        Assert.Equal(2, scores.Bands.Count);
        Assert.Equal(25.4171788514, scores.Bands[0].Psnr, 8);
        Assert.Equal(0.9832595382, scores.Bands[1].Ssim, 9);
        Assert.Equal(28.2115183716, scores.Overall.Psnr, 8);
        Assert.Equal(0.9083447932, scores.Overall.Ssim, 9);
    }
}
