using SatSR.Geometry;
using SatSR.Pixels;
using SatSR.Quality;
using Degradation = SatSR.Training.Data.Degradation;
using SatSR.Training.Data;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training;

/// <summary>
/// The held-out window: its HR pixels (nodata filled as inference fills it), their LR version made the same way as
/// the training pairs, and which pixels count. An output is scored as <c>satsr eval</c> scores one
/// (<see cref="Scores.Measure"/>) on the 0..1 scale (peak 1), every band of every group together; a lone band's output
/// is the mean of the network's channels, as inference averages it back.
/// </summary>
internal sealed class Validation : IDisposable
{
    private readonly List<(Tensor Lr, bool Alone)> _groups = [];
    private readonly double[] _reference;
    private readonly byte[] _valid;
    private readonly Window _window;
    private readonly int _scale;

    public Validation(TrainingImage image, TrainingImage? lowRes, Window window, int channels, int scale, Degradation degradation, long seed)
    {
        _scale = scale;
        _window = window;
        var n = window.Width * window.Height;
        _valid = image.CropValid(window);
        var reference = new List<double>();
        foreach (var group in image.Groups)
        {
            var planes = new float[channels * n];
            image.Crop(group, window, channels, planes);
            NodataFill.Fill(planes, channels, _valid, window.Width, window.Height, new float[NodataFill.ScratchLength(window.Width, window.Height)]);
            reference.AddRange(planes.Take(group.Length * n).Select(v => (double)v));
            var hr = tensor(planes).reshape(1, channels, window.Height, window.Width);
            Tensor lr;
            if (lowRes is null)
            {
                using (no_grad()) lr = degradation.Apply(hr, PatchSampler.StepRandom(seed, -1, 0));
            }
            else
            {
                var low = new Window(window.Column / scale, window.Row / scale, window.Width / scale, window.Height / scale);
                var lowPlanes = new float[channels * low.Width * low.Height];
                lowRes.Crop(group, low, channels, lowPlanes);
                NodataFill.Fill(lowPlanes, channels, lowRes.CropValid(low), low.Width, low.Height, new float[NodataFill.ScratchLength(low.Width, low.Height)]);
                lr = tensor(lowPlanes).reshape(1, channels, low.Height, low.Width);
            }
            hr.Dispose();
            _groups.Add((lr, group.Length == 1));
        }
        _reference = [.. reference];
    }

    public Score Model(nn.Module<Tensor, Tensor> model)
    {
        model.eval();
        using var _ = no_grad();
        var score = Measure(lr => model.call(lr));
        model.train();
        return score;
    }

    public Score Bicubic() => Measure(lr => F.interpolate(lr, scale_factor: [_scale, _scale], mode: InterpolationMode.Bicubic, align_corners: false));

    /// <summary>The outputs of every group, clamped to 0..1 as a written image would be, scored against the reference.</summary>
    private Score Measure(Func<Tensor, Tensor> predict)
    {
        var estimate = new List<double>(_reference.Length);
        foreach (var (lr, alone) in _groups)
        {
            using var scope = NewDisposeScope();
            var output = predict(lr);
            estimate.AddRange((alone ? output.mean([1]) : output).clamp(0, 1).to(float64).data<double>());
        }
        var peaks = Enumerable.Repeat(1.0, _reference.Length / (_window.Width * _window.Height)).ToArray();
        return Scores.Measure(_reference, [.. estimate], _valid, _window.Width, _window.Height, peaks).Overall;
    }

    public void Dispose()
    {
        foreach (var (lr, _) in _groups) lr.Dispose();
    }
}
