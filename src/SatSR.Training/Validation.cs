using SatSR.Geometry;
using SatSR.Pixels;
using SatSR.Training.Data;
using SatSR.Training.Quality;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training;

/// <summary>
/// The held-out window: its HR pixels (nodata filled as inference fills it), their LR version made the same way as
/// the training pairs, and which pixels count. Each band group is scored apart; a lone band's output is the mean of
/// the network's channels, as inference averages it back.
/// </summary>
internal sealed class Validation : IDisposable
{
    private readonly List<(Tensor Lr, Tensor Hr, Tensor Valid, bool Alone)> _groups = [];
    private readonly int _scale;

    public Validation(TrainingImage image, TrainingImage? lowRes, Window window, int channels, int scale, Degradation degradation, long seed)
    {
        _scale = scale;
        var n = window.Width * window.Height;
        var valid = image.CropValid(window);
        foreach (var group in image.Groups)
        {
            var planes = new float[channels * n];
            image.Crop(group, window, channels, planes);
            NodataFill.Fill(planes, channels, valid, window.Width, window.Height, new float[NodataFill.ScratchLength(window.Width, window.Height)]);
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
            var mask = tensor(valid.Select(v => v != 0 ? 1f : 0f).ToArray()).reshape(1, 1, window.Height, window.Width);
            _groups.Add((lr, group.Length == 1 ? hr[.., ..1] : hr, mask, group.Length == 1));
        }
    }

    public Score Model(nn.Module<Tensor, Tensor> model)
    {
        model.eval();
        using var _ = no_grad();
        var score = Mean(g => model.call(g.Lr));
        model.train();
        return score;
    }

    public Score Bicubic() => Mean(g => F.interpolate(g.Lr, scale_factor: [_scale, _scale], mode: InterpolationMode.Bicubic, align_corners: false));

    private Score Mean(Func<(Tensor Lr, Tensor Hr, Tensor Valid, bool Alone), Tensor> predict)
    {
        var scores = _groups.Select(g =>
        {
            using var scope = NewDisposeScope();
            var output = predict(g);
            return Scores.Of(g.Alone ? output.mean([1], keepdim: true) : output, g.Hr, g.Valid);
        }).ToList();
        return new Score(scores.Average(s => s.Psnr), scores.Average(s => s.Ssim));
    }

    public void Dispose()
    {
        foreach (var (lr, hr, valid, _) in _groups)
        {
            lr.Dispose();
            hr.Dispose();
            valid.Dispose();
        }
    }
}
