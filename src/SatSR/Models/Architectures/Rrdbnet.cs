using SatSR.Geometry;

namespace SatSR.Models.Architectures;

/// <summary>
/// ESRGAN's RRDBNet in BasicSR's key layout (Real-ESRGAN x4plus, x2plus, and most community ESRGAN models saved by
/// BasicSR). The network, all 3×3 convolutions with LeakyReLU(0.2):
/// <code>
/// feat = conv_first(x)                      x pixel-unshuffled by 2 (×2) or 4 (×1) first
/// feat = feat + conv_body(RRDB × num_block (feat))
/// feat = lrelu(conv_up1(nearest×2(feat)));  feat = lrelu(conv_up2(nearest×2(feat)))
/// out  = conv_last(lrelu(conv_hr(feat)))
/// RRDB(x) = 0.2·rdb3(rdb2(rdb1(x))) + x
/// RDB(x)  = 0.2·conv5(cat(x, x1…x4)) + x,   x_i = lrelu(conv_i(cat(x, x1…x_{i−1})))
/// </code>
/// The net always upsamples ×4; ×2 and ×1 models shrink the input first, so conv_first sees in·4 or in·16 channels.
/// </summary>
public sealed class Rrdbnet : IArchitecture
{
    private const float Slope = 0.2f;           // LeakyReLU
    private const float ResidualScale = 0.2f;   // how much of each block's output is added to its input

    private static readonly KeyCondition Keys = KeyCondition.HasAll(
        "conv_first.weight", "body.0.rdb1.conv1.weight", "conv_body.weight", "conv_up1.weight", "conv_up2.weight",
        "conv_hr.weight", "conv_last.weight");

    public string Id => "RRDBNet";

    public NetworkFootprint Footprint => NetworkFootprint.Deep;

    public bool Detect(StateDict sd) => Keys.Matches(sd);

    public ModelDescriptor Build(StateDict sd, string name, string source)
    {
        var w = new WeightGraph(sd, Id);
        var feat = w.Dim("conv_first.weight", 0);
        var firstIn = w.Dim("conv_first.weight", 1);
        var outCh = w.Dim("conv_last.weight", 0);
        var grow = w.Dim("body.0.rdb1.conv1.weight", 0);
        var blocks = 0;
        while (sd.ContainsKey($"body.{blocks}.rdb1.conv1.weight")) blocks++;
        // The input channels are not stored apart from the unshuffle; like the released models, assume in = out.
        var (scale, unshuffle, inCh) = firstIn == outCh * 16 ? (1, 4, outCh) : firstIn == outCh * 4 ? (2, 2, outCh) : (4, 1, firstIn);

        var g = w.Graph;
        var x = g.Input("input", (int)inCh);
        if (unshuffle > 1) x = g.PixelUnshuffle(x, unshuffle, (int)inCh, g.Fresh("unshuffled"));
        var residual = g.Initializer("residual_scale", [ResidualScale]);
        var first = w.Conv(x, "conv_first", firstIn, feat);
        var h = first;
        for (var b = 0; b < blocks; b++)
        {
            var block = h;
            for (var r = 1; r <= 3; r++) block = Rdb(w, block, $"body.{b}.rdb{r}", feat, grow, residual);
            h = g.Add(g.Mul(block, residual, g.Fresh($"body.{b}.scaled")), h, g.Fresh($"body.{b}"));
        }
        h = g.Add(first, w.Conv(h, "conv_body", feat, feat), g.Fresh("trunk"));
        h = g.LeakyRelu(w.Conv(g.ResizeNearest(h, 2, g.Fresh("up1")), "conv_up1", feat, feat), Slope, g.Fresh("up1_act"));
        h = g.LeakyRelu(w.Conv(g.ResizeNearest(h, 2, g.Fresh("up2")), "conv_up2", feat, feat), Slope, g.Fresh("up2_act"));
        h = g.LeakyRelu(w.Conv(h, "conv_hr", feat, feat), Slope, g.Fresh("hr_act"));
        w.Conv(h, "conv_last", feat, outCh, "output");
        g.Output("output", (int)outCh);

        return new ModelDescriptor(name, Id, scale, (int)inCh, (int)outCh, new SizeRequirements(unshuffle, unshuffle),
            w.Finish(), sd.ParameterCount, source, Footprint)
        {
            Hyperparameters = WeightGraph.Hyperparameters(("num_in_ch", inCh), ("num_out_ch", outCh), ("scale", scale),
                ("num_feat", feat), ("num_block", blocks), ("num_grow_ch", grow)),
        };
    }

    /// <summary>A residual dense block: each conv sees the block input and every earlier conv's output.</summary>
    private static string Rdb(WeightGraph w, string x, string prefix, long feat, long grow, string residual)
    {
        var g = w.Graph;
        var features = new List<string> { x };
        for (var i = 1; i <= 4; i++)
        {
            var input = features.Count == 1 ? x : g.Concat(1, [.. features], g.Fresh($"{prefix}.cat{i}"));
            var conv = w.Conv(input, $"{prefix}.conv{i}", feat + (i - 1) * grow, grow);
            features.Add(g.LeakyRelu(conv, Slope, g.Fresh($"{prefix}.x{i}")));
        }
        var x5 = w.Conv(g.Concat(1, [.. features], g.Fresh($"{prefix}.cat5")), $"{prefix}.conv5", feat + 4 * grow, feat);
        return g.Add(g.Mul(x5, residual, g.Fresh($"{prefix}.scaled")), x, g.Fresh(prefix));
    }
}
