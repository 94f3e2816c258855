using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Networks;

// Field names below are the state_dict names of BasicSR's RRDBNet (TorchSharp registers modules by field name).
#pragma warning disable IDE1006

/// <summary>
/// ESRGAN's RRDBNet with BasicSR's parameter names (conv_first, body.N.rdbK.convI, conv_body, conv_up1, conv_up2,
/// conv_hr, conv_last), all 3×3 convs with LeakyReLU(0.2); ×2 and ×1 pixel-unshuffle the input by 2 and 4 first.
/// The same computation as SatSR's <c>Rrdbnet</c> writes into ONNX.
/// </summary>
internal sealed class Rrdb : nn.Module<Tensor, Tensor>
{
    private const double Slope = 0.2;
    private readonly Conv2d conv_first, conv_body, conv_up1, conv_up2, conv_hr, conv_last;
    private readonly ModuleList<RrdBlock> body = new();
    private readonly int _unshuffle;

    public Rrdb(RrdbSpec spec) : base("RRDBNet")
    {
        _unshuffle = spec.Scale switch
        {
            4 => 1,
            2 => 2,
            1 => 4,
            _ => throw new TrainingException($"RRDBNet trains at ×1, ×2 or ×4, not ×{spec.Scale}"),
        };
        long feat = spec.Features;
        conv_first = Conv(spec.Channels * _unshuffle * _unshuffle, feat);
        for (var b = 0; b < spec.Blocks; b++) body.Add(new RrdBlock(feat, spec.Grow));
        conv_body = Conv(feat, feat);
        conv_up1 = Conv(feat, feat);
        conv_up2 = Conv(feat, feat);
        conv_hr = Conv(feat, feat);
        conv_last = Conv(feat, spec.Channels);
        RegisterComponents();
    }

    internal static Conv2d Conv(long input, long output) => nn.Conv2d(input, output, 3, padding: 1);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = _unshuffle > 1 ? F.pixel_unshuffle(x, _unshuffle) : x;
        var feat = conv_first.call(input);
        var trunk = feat;
        foreach (var block in body) trunk = block.call(trunk);
        feat = feat + conv_body.call(trunk);
        feat = F.leaky_relu(conv_up1.call(Up(feat)), Slope);
        feat = F.leaky_relu(conv_up2.call(Up(feat)), Slope);
        return conv_last.call(F.leaky_relu(conv_hr.call(feat), Slope)).MoveToOuterDisposeScope();
    }

    private static Tensor Up(Tensor x) => F.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Nearest);
}

/// <summary>RRDB(x) = 0.2·rdb3(rdb2(rdb1(x))) + x.</summary>
internal sealed class RrdBlock : nn.Module<Tensor, Tensor>
{
    private readonly DenseBlock rdb1, rdb2, rdb3;

    public RrdBlock(long feat, long grow) : base("RRDB")
    {
        rdb1 = new DenseBlock(feat, grow);
        rdb2 = new DenseBlock(feat, grow);
        rdb3 = new DenseBlock(feat, grow);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (rdb3.call(rdb2.call(rdb1.call(x))) * 0.2 + x).MoveToOuterDisposeScope();
    }
}

/// <summary>RDB(x) = 0.2·conv5(cat(x, x1…x4)) + x, each x_i = lrelu(conv_i(cat(x, x1…x_{i−1}))).</summary>
internal sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3, conv4, conv5;

    public DenseBlock(long feat, long grow) : base("ResidualDenseBlock")
    {
        conv1 = Rrdb.Conv(feat, grow);
        conv2 = Rrdb.Conv(feat + grow, grow);
        conv3 = Rrdb.Conv(feat + 2 * grow, grow);
        conv4 = Rrdb.Conv(feat + 3 * grow, grow);
        conv5 = Rrdb.Conv(feat + 4 * grow, feat);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var features = new List<Tensor> { x };
        foreach (var conv in new[] { conv1, conv2, conv3, conv4 }) features.Add(F.leaky_relu(conv.call(cat(features, 1)), 0.2));
        return (conv5.call(cat(features, 1)) * 0.2 + x).MoveToOuterDisposeScope();
    }
}
