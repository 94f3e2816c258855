using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Networks;

/// <summary>
/// Real-ESRGAN's SRVGGNetCompact (PReLU), with its official parameter names: <c>body.0</c> conv in→feat, <c>body.1</c>
/// PReLU, then (conv, PReLU) × num_conv, and a last conv to out·scale²; the output is that pixel-shuffled plus the
/// input upsampled nearest-neighbour. The same computation as SatSR's <c>SrvggCompact</c> writes into ONNX.
/// </summary>
internal sealed class Srvgg : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict names (TorchSharp registers modules by field name).
#pragma warning disable IDE1006
    private readonly ModuleList<nn.Module<Tensor, Tensor>> body = new();
#pragma warning restore IDE1006
    private readonly int _scale;

    public Srvgg(SrvggSpec spec) : base("SRVGGNetCompact")
    {
        _scale = spec.Scale;
        body.Add(nn.Conv2d(spec.Channels, spec.Features, 3, padding: 1));
        body.Add(nn.PReLU(spec.Features, 0.25));
        for (var i = 0; i < spec.Convs; i++)
        {
            body.Add(nn.Conv2d(spec.Features, spec.Features, 3, padding: 1));
            body.Add(nn.PReLU(spec.Features, 0.25));
        }
        body.Add(nn.Conv2d(spec.Features, spec.Channels * spec.Scale * spec.Scale, 3, padding: 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var layer in body) h = layer.call(h);
        var detail = F.pixel_shuffle(h, _scale);
        var upsampled = F.interpolate(x, scale_factor: [_scale, _scale], mode: InterpolationMode.Nearest);
        return (detail + upsampled).MoveToOuterDisposeScope();
    }
}
