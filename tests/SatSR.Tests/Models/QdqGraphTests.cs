using Microsoft.ML.OnnxRuntime;
using Onnx;
using SatSR.Models.Onnx;

namespace SatSR.Tests.Models;

/// <summary>The QDQ int8 transformation on a graph written by SatSR's own builder (node names = output names).</summary>
public class QdqGraphTests
{
    /// <summary>conv(1→2, 1×1) → LeakyReLU → conv(2→1, 1×1): weights small enough to quantise by hand.</summary>
    private static byte[] TwoConvolutions()
    {
        var g = new OnnxGraphBuilder("two");
        var x = g.Input("input", 1);
        var a = g.Conv(x, g.Initializer("w1", [0.5f, -0.25f], 2, 1, 1, 1), g.Initializer("b1", [0.1f, 0f], 2), 1, "c1");
        var r = g.LeakyRelu(a, 0.2f, "r1");
        g.Conv(r, g.Initializer("w2", [1f, -0.3f], 1, 2, 1, 1), null, 1, "output");
        g.Output("output", 1);
        return g.ToBytes();
    }

    private static readonly Dictionary<string, ActivationRange> Ranges = new()
    {
        ["input"] = new(0, 1), ["c1"] = new(-0.25f, 0.6f), ["r1"] = new(-0.05f, 0.6f), ["output"] = new(-0.2f, 0.6f),
    };

    [Fact]
    public void Weights_are_int8_per_output_channel_with_symmetric_scales()
    {
        var g = ModelProto.Parser.ParseFrom(QdqGraph.Quantize(TwoConvolutions(), Ranges, new HashSet<int>())).Graph;
        var w1 = g.Initializer.Single(t => t.Name == "w1.int8");
        // One weight per output channel: each is its channel's max |w|, so it maps to ±127 with scale |w| / 127.
        Assert.Equal(new sbyte[] { 127, -127 }, w1.RawData.Span.ToArray().Select(b => (sbyte)b));
        var scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(g.Initializer.Single(t => t.Name == "w1.int8.scale").RawData.Span).ToArray();
        Assert.Equal(new[] { 0.5f / 127, 0.25f / 127 }, scales);
        var w2 = g.Initializer.Single(t => t.Name == "w2.int8");   // one channel [1, -0.3]: scale 1/127, -0.3·127 = -38.1
        Assert.Equal(new sbyte[] { 127, -38 }, w2.RawData.Span.ToArray().Select(b => (sbyte)b));
    }

    [Fact]
    public void Onnx_runtime_fuses_every_quantised_convolution_into_an_integer_one()
    {
        var optimised = Path.Combine(TestFiles.TempDir(), "optimised.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimised })
        using (new InferenceSession(QdqGraph.Quantize(TwoConvolutions(), Ranges, new HashSet<int>()), options))
        {
        }
        var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimised)).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(2, ops.Count(op => op == "QLinearConv"));
        Assert.DoesNotContain("Conv", ops);
    }

    [Fact]
    public void A_convolution_kept_float_is_left_as_it_was()
    {
        var g = ModelProto.Parser.ParseFrom(QdqGraph.Quantize(TwoConvolutions(), Ranges, new HashSet<int> { 1 })).Graph;
        var last = g.Node.Single(n => n.OpType == "Conv" && n.Output[0] == "output");
        Assert.Equal(["r1", "w2"], last.Input);
        Assert.Single(g.Node, n => n.OpType == "Conv" && n.Input[1] == "w1.int8.dq");
    }
}
