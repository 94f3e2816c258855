using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Quality;

/// <summary>PSNR (dB) and SSIM of an image against its reference, on the network's 0..1 scale.</summary>
public readonly record struct Score(double Psnr, double Ssim);

/// <summary>
/// Scores on [1, C, H, W] tensors in 0..1, restricted to valid pixels: PSNR over the valid pixels (peak 1), and
/// SSIM (Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03) averaged over the window positions whose
/// centre is valid. The estimate is clamped to 0..1 first, as a written image would be.
/// </summary>
public static class Scores
{
    private const int Window = 11;

    public static Score Of(Tensor estimate, Tensor reference, Tensor valid)
    {
        using var scope = NewDisposeScope();
        var x = estimate.clamp(0, 1).to(float64);
        var y = reference.to(float64);
        var mask = valid.to(float64).expand_as(y);
        var mse = ((x - y).square() * mask).sum().item<double>() / mask.sum().item<double>();
        var psnr = mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
        return new Score(psnr, Ssim(x, y, valid.to(float64)));
    }

    private static double Ssim(Tensor x, Tensor y, Tensor valid)
    {
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var channels = x.shape[1];
        var g = arange(Window, float64) - Window / 2;
        g = (-(g.square()) / (2 * 1.5 * 1.5)).exp();
        g /= g.sum();
        var kernel = g.outer(g).expand(channels, 1, Window, Window).contiguous();
        Tensor Filter(Tensor t) => F.conv2d(t, kernel, groups: channels);
        var mx = Filter(x);
        var my = Filter(y);
        var sxx = Filter(x * x) - mx * mx;
        var syy = Filter(y * y) - my * my;
        var sxy = Filter(x * y) - mx * my;
        var map = (2 * mx * my + c1) * (2 * sxy + c2) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
        const int r = Window / 2;
        var centres = valid[.., .., r..^r, r..^r].expand_as(map);
        return (map * centres).sum().item<double>() / centres.sum().item<double>();
    }
}
