using SatSR.Training.Data;
using DegradationKind = SatSR.Quality.DegradationKind;
using static TorchSharp.torch;

namespace SatSR.Training.Tests;

public class DegradationTests
{
    /// <summary>A textured HR batch [2, 3, 64, 64] in 0..1 both a test and a reader can recompute.</summary>
    private static Tensor Texture() =>
        tensor(Enumerable.Range(0, 2 * 3 * 64 * 64).Select(i => (float)(0.5 + 0.4 * Math.Sin(i * 0.37) * Math.Cos(i * 0.011))).ToArray())
            .reshape(2, 3, 64, 64);

    /// <summary>
    /// The texture's first plane degraded by mtf, as tools/references/degradation_reference.py computes it from the definition
    /// (σ = (s/π)·√(−2 ln G), sampled at the block centre, cut at 4σ, edges replicated): LR pixels (0, 0), (0, 15),
    /// (7, 9) and (15, 15).
    /// </summary>
    [Theory]
    [InlineData(4, 0.3, new[] { 0.482159258, 0.479940686, 0.449632985, 0.536271893 })]
    [InlineData(2, 0.5, new[] { 0.419657050, 0.288725136, 0.625739908, 0.710090337 })]
    public void Mtf_is_the_gaussian_of_the_gain_sampled_at_block_centres(int scale, double gain, double[] expected)
    {
        using var hr = Texture()[..1, ..1];
        using var lr = new Degradation(DegradationKind.Mtf, scale, gain).Apply(hr, new Random(0));
        Assert.Equal([1L, 1, 64 / scale, 64 / scale], lr.shape);
        (int Row, int Column)[] picks = [(0, 0), (0, 15), (7, 9), (15, 15)];
        for (var k = 0; k < picks.Length; k++) Assert.Equal(expected[k], lr[0, 0, picks[k].Row, picks[k].Column].item<float>(), 6);
    }

    /// <summary>The trainer's mtf at eval's gain gives what <c>satsr eval</c>'s degradation gives, every LR pixel, edges included.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Mtf_is_evals(int scale)
    {
        const int side = 48;
        using var hr = Texture()[..1, 1.., ..side, ..side].contiguous();
        using var lr = new Degradation(DegradationKind.Mtf, scale, SatSR.Quality.Degradation.NyquistGain).Apply(hr, new Random(0));
        var fine = hr.data<float>().Select(v => (double)v).ToArray();
        int n = side / scale, planes = 2;
        var coarse = new double[planes * n * n];
        SatSR.Quality.Degradation.Apply(DegradationKind.Mtf, scale, fine, Enumerable.Repeat((byte)255, side * side).ToArray(), side, side, planes, coarse, new byte[n * n]);
        var trained = lr.data<float>().ToArray();
        Assert.Equal(coarse.Length, trained.Length);
        Assert.InRange(coarse.Zip(trained).Max(p => Math.Abs(p.First - p.Second)), 0, 1e-6);
    }

    /// <summary>Area: each LR pixel is the mean of its s×s HR block, computed here by hand.</summary>
    [Fact]
    public void Area_is_the_block_mean()
    {
        using var hr = Texture();
        using var lr = new Degradation(DegradationKind.Area, 4, 0.3).Apply(hr, new Random(0));
        var h = hr.data<float>().ToArray();
        var l = lr.data<float>().ToArray();
        Assert.Equal(2 * 3 * 16 * 16, l.Length);
        var worst = 0.0;
        for (var p = 0; p < 6; p++)
        {
            for (var y = 0; y < 16; y++)
            {
                for (var x = 0; x < 16; x++)
                {
                    double sum = 0;
                    for (var dy = 0; dy < 4; dy++)
                        for (var dx = 0; dx < 4; dx++) sum += h[p * 4096 + (4 * y + dy) * 64 + 4 * x + dx];
                    worst = Math.Max(worst, Math.Abs(sum / 16 - l[p * 256 + y * 16 + x]));
                }
            }
        }
        Assert.InRange(worst, 0, 1e-6);
    }

    /// <summary>
    /// Real-ESRGAN's pipeline is random, but only through the generator it is given: the same seed gives the same LR
    /// twice, another seed another LR; the result has the LR size, lies in 0..1 on 8-bit levels, and is not the plain
    /// block mean.
    /// </summary>
    [Fact]
    public void RealEsrgan_is_seeded()
    {
        using var hr = Texture();
        var degradation = new Degradation(DegradationKind.RealEsrgan, 4, 0.3);
        using var a = degradation.Apply(hr, new Random(21));
        using var b = degradation.Apply(hr, new Random(21));
        using var c = degradation.Apply(hr, new Random(22));
        Assert.Equal([2L, 3, 16, 16], a.shape);
        var av = a.data<float>().ToArray();
        Assert.Equal(av, b.data<float>().ToArray());
        Assert.NotEqual(av, c.data<float>().ToArray());
        Assert.All(av, v => Assert.InRange(v, 0f, 1f));
        Assert.All(av, v => Assert.InRange(Math.Abs(v * 255 - Math.Round(v * 255)), 0, 1e-3));

        using var area = new Degradation(DegradationKind.Area, 4, 0.3).Apply(hr, new Random(0));
        var meanDifference = av.Zip(area.data<float>().ToArray()).Average(p => Math.Abs(p.First - p.Second));
        Assert.True(meanDifference > 0.01, $"mean |realesrgan − area| = {meanDifference:F4}");
    }

    /// <summary>
    /// Mixed draws per patch: the same HR patch 24 times in one batch, noise off, comes out as the exact block mean
    /// (worked here by hand) for some patches and blurrier for others (a smaller spread of values: the blur takes
    /// contrast), in both cases. The same generator seed gives the same batch; another seed another one.
    /// </summary>
    [Fact]
    public void Mixed_draws_area_or_a_blur_per_patch_and_is_seeded()
    {
        using var one = Texture()[..1];
        using var hr = one.expand(24, 3, 64, 64).contiguous();
        var noiseless = new Degradation(DegradationKind.Mixed, 4, 0.3, DegradationMix.Default with { MaxNoise = 0 });
        using var lr = noiseless.Apply(hr, new Random(5));
        Assert.Equal([24L, 3, 16, 16], lr.shape);
        var h = one.data<float>().ToArray();
        var mean = new double[3 * 256];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < 16; y++)
                for (var x = 0; x < 16; x++)
                {
                    double sum = 0;
                    for (var dy = 0; dy < 4; dy++)
                        for (var dx = 0; dx < 4; dx++) sum += h[c * 4096 + (4 * y + dy) * 64 + 4 * x + dx];
                    mean[c * 256 + y * 16 + x] = sum / 16;
                }
        static double Spread(IEnumerable<double> v) { var a = v.ToArray(); var m = a.Average(); return Math.Sqrt(a.Average(x => (x - m) * (x - m))); }
        var l = lr.data<float>().ToArray();
        int area = 0, blurred = 0;
        for (var p = 0; p < 24; p++)
        {
            var patch = l.AsSpan(p * 768, 768).ToArray();
            var worst = patch.Select((v, i) => Math.Abs(v - mean[i])).Max();
            if (worst < 1e-6) area++;
            else if (Spread(patch.Select(v => (double)v)) < 0.95 * Spread(mean)) blurred++;
        }
        Assert.True(area > 0 && blurred > 0 && area + blurred == 24, $"{area} block means, {blurred} blurred, of 24");

        var noisy = new Degradation(DegradationKind.Mixed, 4, 0.3);
        using var a = noisy.Apply(hr, new Random(8));
        using var b = noisy.Apply(hr, new Random(8));
        using var c2 = noisy.Apply(hr, new Random(9));
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.NotEqual(a.data<float>().ToArray(), c2.data<float>().ToArray());
        Assert.All(a.data<float>().ToArray(), v => Assert.InRange(v, 0f, 1f));
    }
}
