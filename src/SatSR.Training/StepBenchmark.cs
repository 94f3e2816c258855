using System.Diagnostics;
using SatSR.Training.Networks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training;

/// <summary>
/// Times <see cref="Trainer.Step"/> on random data, as tools/studies/bench_train_step.py times the same step in PyTorch:
/// HR patches from torch.rand, their block means as LR, Adam lr 1e-4 (β 0.9/0.99), EMA 0.999.
/// </summary>
public static class StepBenchmark
{
    /// <summary>The shapes of the two published models: realesr-general-x4v3 and RealESRGAN_x4plus.</summary>
    public static NetworkSpec For(string architecture) => architecture switch
    {
        "srvgg" => new SrvggSpec(Channels: 3, Scale: 4, Features: 64, Convs: 32),
        "rrdb" => new RrdbSpec(Channels: 3, Scale: 4, Features: 64, Blocks: 23, Grow: 32),
        _ => throw new TrainingException($"benchmark {architecture}: expected srvgg or rrdb"),
    };

    /// <returns>seconds per step: the median of <paramref name="steps"/> steps after one warm-up step</returns>
    public static double Run(NetworkSpec spec, int batch, int lrPatch, int steps)
    {
        if (batch < 1 || lrPatch < 1 || steps < 1) throw new TrainingException("benchmark: --batch, --lr-patch and --steps must be at least 1");
        manual_seed(0);
        using var model = spec.Create();
        using var ema = spec.Create();
        using var optimizer = optim.Adam(model.parameters(), 1e-4, 0.9, 0.99);
        var pairs = model.parameters().Zip(ema.parameters()).ToArray();
        using var hr = rand(batch, spec.Channels, lrPatch * spec.Scale, lrPatch * spec.Scale);
        using var lr = F.avg_pool2d(hr, spec.Scale);
        var times = new List<double>();
        for (var i = 0; i <= steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) Trainer.Step(model, optimizer, pairs, lr, hr, 0.999);
            if (i > 0) times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    }
}
