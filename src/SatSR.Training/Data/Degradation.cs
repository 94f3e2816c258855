using SatSR.Quality;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Data;

/// <summary>
/// The choices <see cref="DegradationKind.Mixed"/> draws for each patch: block averaging alone with probability
/// <see cref="AreaShare"/>, otherwise <see cref="DegradationKind.Mtf"/> with a gain at the LR Nyquist uniform in
/// [<see cref="MinGain"/>, <see cref="MaxGain"/>]; then Gaussian noise of σ uniform in [0, <see cref="MaxNoise"/>]
/// (units of the 0..1 range) on the LR patch.
/// </summary>
public sealed record DegradationMix(double AreaShare, double MinGain, double MaxGain, double MaxNoise)
{
    /// <summary>Gains around a real sensor's 0.2–0.4 (satsr eval's mtf uses 0.3); noise up to two 8-bit levels.</summary>
    public static readonly DegradationMix Default = new(0.35, 0.15, 0.5, 2.0 / 255);
}

/// <summary>
/// HR patches [B, C, H, W] in 0..1 → their LR versions [B, C, H/scale, W/scale]; area and mtf as <c>satsr eval</c>
/// makes them (<see cref="Quality.Degradation"/>'s taps, edges replicated). Random choices come from the generator
/// given, so a step's degradation is fixed by (seed, step).
/// </summary>
internal sealed class Degradation(DegradationKind kind, int scale, double mtfGain, DegradationMix? mix = null)
{
    private readonly DegradationMix _mix = mix ?? DegradationMix.Default;

    public Tensor Apply(Tensor hr, Random rng)
    {
        using var scope = NewDisposeScope();
        var lr = kind switch
        {
            DegradationKind.Area => F.avg_pool2d(hr, scale),
            DegradationKind.Mtf => Mtf(hr, mtfGain),
            DegradationKind.Mixed => Mixed(hr, rng),
            _ => SecondOrder(hr, rng),
        };
        return lr.MoveToOuterDisposeScope();
    }

    /// <summary>The MTF blur of <paramref name="gain"/> sampled at the block centres: the shared taps along rows, then columns.</summary>
    private Tensor Mtf(Tensor hr, double gain)
    {
        var kernel = Quality.Degradation.Kernel(scale, gain);
        int length = kernel.Weights.Count, before = Math.Max(0, -kernel.Offset), after = Math.Max(0, kernel.Offset + length - scale);
        var channels = hr.shape[1];
        var taps = tensor(kernel.Weights.ToArray(), float64).to(hr.dtype);
        // Coarse pixel x then takes padded pixels from x·s + first.
        var first = before + kernel.Offset;
        var padded = F.pad(hr, [before, after, before, after], PaddingModes.Replicate)[.., .., first.., first..];
        var across = F.conv2d(padded, taps.reshape(1, 1, 1, length).expand(channels, 1, 1, length).contiguous(), strides: [1, scale], groups: channels);
        return F.conv2d(across, taps.reshape(1, 1, length, 1).expand(channels, 1, length, 1).contiguous(), strides: [scale, 1], groups: channels);
    }

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
            var lr = rng.NextDouble() < _mix.AreaShare ? F.avg_pool2d(patch, scale) : Mtf(patch, Uniform(rng, _mix.MinGain, _mix.MaxGain));
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

    /// <summary>A normalised 2-D Gaussian of <paramref name="size"/>² taps.</summary>
    private static Tensor Gaussian(double sx, double sy, double angle, int size)
    {
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
        var channels = x.shape[1];
        var r = size / 2;
        var padded = F.pad(x, [r, r, r, r], PaddingModes.Reflect);
        return F.conv2d(padded, kernel.expand(channels, 1, size, size).contiguous(), groups: channels);
    }

    private static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
