using Microsoft.ML.OnnxRuntime;
using Onnx;
using SatSR.Models.Onnx;

namespace SatSR.Tests.Models;

/// <summary>The QDQ int8 transformation on a graph written by SatSR's own builder (node names = output names).</summary>
public class QdqGraphTests
{
    private static readonly Dictionary<string, ActivationRange> Ranges = new()
    {
        ["input"] = new(0, 1), ["c1"] = new(-0.25f, 0.6f), ["r1"] = new(-0.05f, 0.6f), ["output"] = new(-0.2f, 0.6f),
    };

    /// <summary>The operator types of <paramref name="model"/> as ONNX Runtime optimises it at <paramref name="level"/> (the graph it saves).</summary>
    private static List<string> OptimisedOps(byte[] model, GraphOptimizationLevel level)
    {
        var optimised = Path.Combine(TestFiles.TempDir(), "optimised.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = level, OptimizedModelFilePath = optimised })
        using (new InferenceSession(model, options))
        {
        }
        return [.. ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimised)).Graph.Node.Select(n => n.OpType)];
    }

    [Fact]
    public void Weights_are_int8_per_output_channel_with_symmetric_scales()
    {
        var g = ModelProto.Parser.ParseFrom(QdqGraph.Quantize(TestModels.TwoConvolutions(), Ranges, new HashSet<int>())).Graph;
        var w1 = g.Initializer.Single(t => t.Name == "w1.int8");
        // One weight per output channel: each is its channel's max |w|, so it maps to ±127 with scale |w| / 127.
        Assert.Equal(new sbyte[] { 127, -127 }, w1.RawData.Span.ToArray().Select(b => (sbyte)b));
        var scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(g.Initializer.Single(t => t.Name == "w1.int8.scale").RawData.Span).ToArray();
        Assert.Equal(new[] { 0.5f / 127, 0.25f / 127 }, scales);
        var w2 = g.Initializer.Single(t => t.Name == "w2.int8");   // one channel [1, -0.3]: scale 1/127, -0.3·127 = -38.1
        Assert.Equal(new sbyte[] { 127, -38 }, w2.RawData.Span.ToArray().Select(b => (sbyte)b));
    }

    [Fact]
    public void Activation_zero_points_are_the_nearest_integer_to_minus_low_over_scale()
    {
        var g = ModelProto.Parser.ParseFrom(QdqGraph.Quantize(TestModels.TwoConvolutions(), Ranges, new HashSet<int>())).Graph;
        byte Zero(string activation) => g.Initializer.Single(t => t.Name == activation + ".qzero").RawData.Span[0];
        // uint8 over [min(0, lo), max(0, hi)]: scale (hi − lo) / 255, zero point round(−lo / scale), by hand:
        // input 0..1 → 0; r1 −0.05..0.6 → 0.05·255/0.65 = 19.62 → 20; output −0.2..0.6 → 0.2·255/0.8 = 63.75 → 64.
        Assert.Equal(0, Zero("input"));
        Assert.Equal(20, Zero("r1"));
        Assert.Equal(64, Zero("output"));
    }

    [Fact]
    public void Onnx_runtime_fuses_every_quantised_convolution_into_an_integer_one()
    {
        var ops = OptimisedOps(QdqGraph.Quantize(TestModels.TwoConvolutions(), Ranges, new HashSet<int>()), GraphOptimizationLevel.ORT_ENABLE_ALL);
        Assert.Equal(2, ops.Count(op => op == "QLinearConv"));
        Assert.DoesNotContain("Conv", ops);
    }

    [Fact]
    public void A_convolution_kept_float_is_left_as_it_was()
    {
        var g = ModelProto.Parser.ParseFrom(QdqGraph.Quantize(TestModels.TwoConvolutions(), Ranges, new HashSet<int> { 1 })).Graph;
        var last = g.Node.Single(n => n.OpType == "Conv" && n.Output[0] == "output");
        Assert.Equal(["r1", "w2"], last.Input);
        Assert.Single(g.Node, n => n.OpType == "Conv" && n.Input[1] == "w1.int8.dq");
    }

    private static readonly float[] Slopes = [0.25f, -1.5f, 1.9f];

    /// <summary>input → conv(1→3, weights 1, bias −0.5) → PReLU(one slope per channel) → conv(3→3, identity).</summary>
    private static byte[] PerChannelPrelu()
    {
        var g = new OnnxGraphBuilder("prelu");
        var x = g.Input("input", 1);
        var a = g.Conv(x, g.Initializer("w1", [1f, 1f, 1f], 3, 1, 1, 1), g.Initializer("b1", [-0.5f, -0.5f, -0.5f], 3), 1, "c1");
        var p = g.PRelu(a, g.Initializer("slope", Slopes, 3, 1, 1), "p1");
        g.Conv(p, g.Initializer("w2", [1f, 0, 0, 0, 1f, 0, 0, 0, 1f], 3, 3, 1, 1), null, 1, "output");
        g.Output("output", 3);
        return g.ToBytes();
    }

    private static readonly Dictionary<string, ActivationRange> PreluRanges = new()
    {
        ["input"] = new(0, 1), ["c1"] = new(-0.5f, 0.5f), ["p1"] = new(-0.95f, 0.75f), ["output"] = new(-0.95f, 0.75f),
    };

    [Fact]
    public void A_per_channel_PReLU_between_quantised_convolutions_becomes_a_table_lookup_on_the_integer_values()
    {
        var ops = OptimisedOps(QdqGraph.Quantize(PerChannelPrelu(), PreluRanges, new HashSet<int>()), GraphOptimizationLevel.ORT_ENABLE_EXTENDED);
        Assert.Single(ops, op => op == "GatherElements");
        Assert.DoesNotContain("PRelu", ops);
        // Float values only at the graph's edges: the input's quantisation and the output's dequantisation.
        Assert.Single(ops, op => op == "QuantizeLinear");
        Assert.Single(ops, op => op == "DequantizeLinear");
    }

    [Fact]
    public void Each_channel_of_a_quantised_PReLU_keeps_its_own_slope_in_every_tile_of_a_batch()
    {
        // Two tiles: 0, 0.05 … 1 and the same backwards, so a batch's second tile reading the first's values shows.
        var ramp = Enumerable.Range(0, 21).Select(i => i / 20f).ToArray();
        float[][] tiles = [ramp, [.. ramp.Reverse()]];
        using var session = new InferenceSession(QdqGraph.Quantize(PerChannelPrelu(), PreluRanges, new HashSet<int>()),
            new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED });
        using var input = OrtValue.CreateTensorValueFromMemory(tiles.SelectMany(t => t).ToArray(), [2, 1, 1, ramp.Length]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["input"], [input], ["output"]);
        var y = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        for (var n = 0; n < 2; n++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < ramp.Length; i++)
                {
                    // By hand: v = x − 0.5, PReLU keeps v ≥ 0 and multiplies v < 0 by the channel's slope. Three uint8
                    // roundings (steps 1/255, 1/255 and 1.7/255, the first two scaled by |slope| ≤ 1.9): well under 0.03;
                    // another channel's slope would be off by ≥ 0.3 wherever v ≤ −0.1.
                    var v = tiles[n][i] - 0.5f;
                    Assert.Equal(v >= 0 ? v : Slopes[c] * v, y[(n * 3 + c) * ramp.Length + i], 0.03f);
                }
            }
        }
    }
}
