using SatSR.Geometry;

namespace SatSR.Models.Architectures;

/// <summary>
/// Real-ESRGAN's SRVGGNetCompact with PReLU activations (realesr-general-x4v3, realesr-animevideov3): a plain stack
/// of 3×3 convolutions at the input's size, then a pixel shuffle, plus the input upsampled (so the net learns only
/// the detail):
/// <code>
/// body.0 conv in→feat, body.1 PReLU, (body.2k conv feat→feat, body.2k+1 PReLU) × num_conv,
/// body.last conv feat→out·upscale²;   out = PixelShuffle(upscale)(body(x)) + nearest×upscale(x)
/// </code>
/// Its ReLU/LeakyReLU variants store no activation weights, so they lack body.1.weight and are not detected.
/// </summary>
public sealed class SrvggCompact : IArchitecture
{
    private static readonly KeyCondition Keys = KeyCondition.HasAll("body.0.weight", "body.1.weight");

    public string Id => "SRVGGNetCompact";

    public NetworkFootprint Footprint => NetworkFootprint.Compact;

    // body.1 is a PReLU (one slope per channel), not a conv: that tells it from other nets with a "body" list.
    public bool Detect(StateDict sd) => Keys.Matches(sd) && sd["body.1.weight"].Rank == 1;

    public ModelDescriptor Build(StateDict sd, string name, string source)
    {
        var w = new WeightGraph(sd, Id);
        var inCh = w.Dim("body.0.weight", 1);
        var feat = w.Dim("body.0.weight", 0);
        // Convs sit at the even indices, each followed by a PReLU, except the last one.
        var last = 0;
        while (sd.ContainsKey($"body.{last + 2}.weight")) last += 2;
        var numConv = last / 2 - 1;
        if (numConv < 0) throw new ModelException($"{sd.File}: {Id} needs a last convolution after body.1");
        // The residual adds the upsampled input to the output, so out = in (the released models are RGB → RGB).
        var outCh = inCh;
        var shuffled = w.Dim($"body.{last}.weight", 0);
        var upscale = (int)Math.Round(Math.Sqrt(shuffled / (double)outCh));
        if (upscale < 1 || outCh * upscale * upscale != shuffled)
            throw new ModelException($"{sd.File}: the last convolution body.{last} gives {shuffled} channels, not {outCh}·upscale² for a whole upscale");

        var g = w.Graph;
        var x = g.Input("input", (int)inCh);
        var h = w.PRelu(w.Conv(x, "body.0", inCh, feat), "body.1.weight", feat);
        for (var i = 2; i < last; i += 2) h = w.PRelu(w.Conv(h, $"body.{i}", feat, feat), $"body.{i + 1}.weight", feat);
        h = w.Conv(h, $"body.{last}", feat, shuffled);
        var detail = g.DepthToSpace(h, upscale, "CRD", g.Fresh("shuffled"));
        g.Add(detail, g.ResizeNearest(x, upscale, g.Fresh("base")), "output");
        g.Output("output", (int)outCh);

        return new ModelDescriptor(name, Id, upscale, (int)inCh, (int)outCh, SizeRequirements.Any, w.Finish(),
            sd.ParameterCount, source, Footprint)
        {
            Hyperparameters = WeightGraph.Hyperparameters(("num_in_ch", inCh), ("num_out_ch", outCh), ("num_feat", feat),
                ("num_conv", numConv), ("upscale", upscale)),
        };
    }
}
