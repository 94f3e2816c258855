using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Data;

public enum DegradationKind
{
    /// <summary>Block averaging by the scale (Wald's protocol: each LR pixel is the mean of the HR pixels it covers).</summary>
    Area,

    /// <summary>A Gaussian sensor blur matched to an MTF gain at Nyquist, then block averaging.</summary>
    Mtf,

    /// <summary>Real-ESRGAN's second-order blur / resize / noise / JPEG pipeline.</summary>
    RealEsrgan,

    /// <summary>
    /// Per patch, area or an MTF-matched blur of a random gain, then mild noise (<see cref="DegradationMix"/>): a model
    /// for sensors it has not seen, which neither learns one kernel nor sharpens area-averaged input into ringing.
    /// </summary>
    Mixed,
}

/// <summary>
/// The choices <see cref="DegradationKind.Mixed"/> draws for each patch: block averaging alone with probability
/// <see cref="AreaShare"/>, otherwise a Gaussian blur whose MTF at the LR Nyquist is uniform in
/// [<see cref="MinGain"/>, <see cref="MaxGain"/>] before it; then Gaussian noise of σ uniform in [0, <see cref="MaxNoise"/>]
/// (units of the 0..1 range) on the LR patch.
/// </summary>
public sealed record DegradationMix(double AreaShare, double MinGain, double MaxGain, double MaxNoise)
{
    /// <summary>Gains around a real sensor's 0.2–0.4 (satsr eval's mtf uses 0.3); noise up to two 8-bit levels.</summary>
    public static readonly DegradationMix Default = new(0.35, 0.15, 0.5, 2.0 / 255);
}

/// <summary>HR patches [B, C, H, W] in 0..1 → their LR versions [B, C, H/scale, W/scale]. Random choices come from the
/// generator given, so a step's degradation is fixed by (seed, step).</summary>
internal sealed class Degradation(DegradationKind kind, int scale, double mtfGain, DegradationMix? mix = null)
{
    private readonly DegradationMix _mix = mix ?? DegradationMix.Default;

    public Tensor Apply(Tensor hr, Random rng)
    {
        using var scope = NewDisposeScope();
        var lr = kind switch
        {
            DegradationKind.Area => F.avg_pool2d(hr, scale),
            DegradationKind.Mtf => F.avg_pool2d(Blur(hr, Gaussian(MtfSigma(scale, mtfGain), 0, 0)), scale),
            DegradationKind.Mixed => Mixed(hr, rng),
            _ => SecondOrder(hr, rng),
        };
        return lr.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The gain of block averaging at the LR Nyquist frequency f = 1/(2·scale) cycles per HR pixel: the mean of
    /// <paramref name="scale"/> samples of a cosine there, 1/(s·sin(π/2s)) (0.653 at ×4, 0.707 at ×2; a continuous
    /// box's 2/π would miss by up to 11%).
    /// </summary>
    public static double BoxGainAtNyquist(int scale) => 1 / (scale * Math.Sin(Math.PI / (2 * scale)));

    /// <summary>
    /// σ (HR pixels) of the Gaussian that, followed by block averaging, gives <paramref name="gain"/> at the LR Nyquist
    /// frequency. Solved by bisection on the response of the sampled, truncated, normalised kernel the blur applies
    /// (the continuous formula is off by a few per cent for σ under a pixel). The caller checks
    /// gain &lt; <see cref="BoxGainAtNyquist"/>.
    /// </summary>
    public static double MtfSigma(int scale, double gain)
    {
        var target = gain / BoxGainAtNyquist(scale);
        double low = 0, high = 4 * scale;
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            if (KernelGain(mid, Math.PI / scale) > target) low = mid;
            else high = mid;
        }
        return (low + high) / 2;
    }

    /// <summary>The 1-D response at ω radians per pixel of the kernel <see cref="Gaussian"/> makes for σ (its rows are these taps).</summary>
    private static double KernelGain(double sigma, double omega)
    {
        var r = Radius(sigma);
        double sum = 0, response = 0;
        for (var x = -r; x <= r; x++)
        {
            var tap = Math.Exp(-x * x / (2 * sigma * sigma));
            sum += tap;
            response += tap * Math.Cos(omega * x);
        }
        return response / sum;
    }

    private static int Radius(double sigma) => (int)Math.Ceiling(3 * sigma);

    /// <summary>
    /// Real-ESRGAN's degradations (Wang et al. 2021, realesrgan_dataset.py / realesrgan_model.py, their default ranges):
    /// twice {blur, random resize, Gaussian noise, JPEG}, then a resize to the LR size and a last JPEG. One set of
    /// choices per batch; the sinc filters and Poisson noise of the original are left out.
    /// </summary>
    private Tensor SecondOrder(Tensor hr, Random rng)
    {
        long h = hr.shape[2], w = hr.shape[3];
        var x = Blur(hr, RandomKernel(rng, 0.2, 3.0));
        x = RandomResize(x, rng, h, w, up: 1.5, down: 0.15);
        x = (x + Noise(x, rng, 1, 30)).clamp(0, 1);
        x = Jpeg.Compress(x, Uniform(rng, 30, 95));
        if (rng.NextDouble() < 0.8) x = Blur(x, RandomKernel(rng, 0.2, 1.5));
        x = RandomResize(x, rng, h / scale, w / scale, up: 1.2, down: 0.3);
        x = (x + Noise(x, rng, 1, 25)).clamp(0, 1);
        x = F.interpolate(x, size: [h / scale, w / scale], mode: RandomMode(rng));
        x = Jpeg.Compress(x.clamp(0, 1), Uniform(rng, 30, 95));
        // Real-ESRGAN rounds to 8-bit levels at the end, as a saved LR image would be.
        return (x * 255).round() / 255;
    }

    /// <summary>Each patch of the batch degraded by its own draw of <see cref="DegradationMix"/>, in batch order.</summary>
    private Tensor Mixed(Tensor hr, Random rng)
    {
        var patches = new Tensor[hr.shape[0]];
        for (var b = 0; b < patches.Length; b++)
        {
            var patch = hr[b..(b + 1)];
            var blurred = rng.NextDouble() < _mix.AreaShare
                ? patch
                : Blur(patch, Gaussian(MtfSigma(scale, Uniform(rng, _mix.MinGain, _mix.MaxGain)), 0, 0));
            var lr = F.avg_pool2d(blurred, scale);
            var sigma = Uniform(rng, 0, _mix.MaxNoise);
            var generator = new Generator((ulong)rng.NextInt64(long.MaxValue));
            patches[b] = (lr + randn(lr.shape, generator: generator) * sigma).clamp(0, 1);
        }
        return cat(patches, 0);
    }

    private static Tensor RandomResize(Tensor x, Random rng, long h, long w, double up, double down)
    {
        var roll = rng.NextDouble();
        var factor = roll < 0.2 ? Uniform(rng, 1, up) : roll < 0.9 ? Uniform(rng, down, 1) : 1;
        var size = new[] { Math.Max(8, (long)(h * factor)), Math.Max(8, (long)(w * factor)) };
        var mode = RandomMode(rng);
        return F.interpolate(x, size: size, mode: mode, antialias: false).clamp(0, 1);
    }

    private static InterpolationMode RandomMode(Random rng) =>
        rng.Next(3) switch { 0 => InterpolationMode.Area, 1 => InterpolationMode.Bilinear, _ => InterpolationMode.Bicubic };

    /// <summary>Gaussian noise, σ in [low, high]/255; gray (the same for every channel) 40% of the time.</summary>
    private static Tensor Noise(Tensor x, Random rng, double low, double high)
    {
        var sigma = Uniform(rng, low, high) / 255;
        var generator = new Generator((ulong)rng.NextInt64(long.MaxValue));
        var gray = rng.NextDouble() < 0.4;
        var shape = gray ? new[] { x.shape[0], 1, x.shape[2], x.shape[3] } : x.shape;
        return randn(shape, generator: generator) * sigma;
    }

    /// <summary>An isotropic or anisotropic (rotated) Gaussian kernel, σ in [low, high], odd size 7..21.</summary>
    private static Tensor RandomKernel(Random rng, double low, double high)
    {
        var sx = Uniform(rng, low, high);
        var iso = rng.NextDouble() < 0.5;
        return Gaussian(sx, iso ? sx : Uniform(rng, low, high), iso ? 0 : Uniform(rng, 0, Math.PI), 7 + 2 * rng.Next(8));
    }

    /// <summary>A normalised 2-D Gaussian; <paramref name="sy"/> = 0 means isotropic. Size 0: 2⌈3σ⌉+1.</summary>
    private static Tensor Gaussian(double sx, double sy, double angle, int size = 0)
    {
        if (sy == 0) sy = sx;
        if (sx == 0) return ones(1, 1);
        if (size == 0) size = 2 * Radius(Math.Max(sx, sy)) + 1;
        var r = size / 2;
        var k = new float[size * size];
        double cos = Math.Cos(angle), sin = Math.Sin(angle), sum = 0;
        for (var y = -r; y <= r; y++)
        {
            for (var x = -r; x <= r; x++)
            {
                double u = cos * x + sin * y, v = -sin * x + cos * y;
                var value = Math.Exp(-(u * u / (2 * sx * sx) + v * v / (2 * sy * sy)));
                k[(y + r) * size + x + r] = (float)value;
                sum += value;
            }
        }
        return tensor(k).reshape(size, size) / sum;
    }

    /// <summary>Each channel convolved with <paramref name="kernel"/>, edges reflected.</summary>
    private static Tensor Blur(Tensor x, Tensor kernel)
    {
        var size = kernel.shape[0];
        if (size == 1) return x;
        var channels = x.shape[1];
        var r = size / 2;
        var padded = F.pad(x, [r, r, r, r], PaddingModes.Reflect);
        return F.conv2d(padded, kernel.expand(channels, 1, size, size).contiguous(), groups: channels);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
