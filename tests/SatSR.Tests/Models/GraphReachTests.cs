using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Geometry;
using SatSR.Models;
using SatSR.Models.Onnx;
using SatSR.Pipeline.Options;

namespace SatSR.Tests.Models;

/// <summary>
/// The receptive field read off a graph's operators: hand-worked kernels' extents, and against ONNX Runtime, which
/// shows that flipping one input pixel changes outputs exactly that far and no farther.
/// </summary>
public class GraphReachTests
{
    [Fact]
    public void A_pixel_repeat_graph_reaches_nothing_and_gets_no_overlap()
    {
        var bytes = TestModels.PixelRepeatX4();
        Assert.Equal(0, GraphReach.Of(bytes));
        Assert.Equal(0, NetworkFootprint.OfGraph(bytes).Overlap);
    }

    [Fact]
    public void Convolutions_add_their_extent_at_the_resolution_they_run_at()
    {
        var g = new OnnxGraphBuilder();
        var x = g.Input("input", 1);
        // Three 3×3 at the input's resolution: 1 px each.
        for (var i = 0; i < 3; i++) x = g.LeakyRelu(g.Conv(x, Weight(g, 4, i == 0 ? 1 : 4, 3), null, 3, g.Fresh("c")), 0.2f, g.Fresh("a"));
        // ×2 by pixel shuffle, then a 3×3 at twice the resolution: half an input pixel.
        x = g.DepthToSpace(x, 2, "CRD", g.Fresh("up"));
        g.Conv(x, Weight(g, 1, 1, 3), null, 3, "output");
        g.Output("output", 1);
        Assert.Equal(3.5, GraphReach.Of(g.ToBytes()));
    }

    [Fact]
    public void Dilation_and_one_sided_padding_reach_their_farther_side()
    {
        var g = new OnnxGraphBuilder();
        var x = g.Input("input", 1);
        // 5×5, dilation 2, padded 4 each side: 4 px.
        x = g.Conv(x, Weight(g, 1, 1, 5), null, [5, 5], [1, 1], [4, 4, 4, 4], [2, 2], g.Fresh("d"));
        // 3×3 padded only at the bottom and right: it reads 2 px down and right of each pixel.
        g.Conv(x, Weight(g, 1, 1, 3), null, [3, 3], [1, 1], [0, 0, 2, 2], [1, 1], "output");
        g.Output("output", 1);
        Assert.Equal(6, GraphReach.Of(g.ToBytes()));
    }

    [Fact]
    public void An_operator_of_unknown_extent_says_nothing_and_keeps_the_deep_default()
    {
        var g = new OnnxGraphBuilder();
        var x = g.Conv(g.Input("input", 3), Weight(g, 3, 3, 3), null, 3, "c");
        var pooled = g.Fresh("pool");
        var node = new Onnx.NodeProto { OpType = "GlobalAveragePool", Name = pooled };
        node.Input.Add(x);
        node.Output.Add(pooled);
        var model = Onnx.ModelProto.Parser.ParseFrom(g.ToBytes());
        model.Graph.Node.Add(node);
        var add = new Onnx.NodeProto { OpType = "Add", Name = "output" };
        add.Input.Add(x);
        add.Input.Add(pooled);
        add.Output.Add("output");
        model.Graph.Node.Add(add);
        model.Graph.Output.Add(new Onnx.ValueInfoProto { Name = "output" });
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        Assert.Null(GraphReach.Of(bytes));
        Assert.Equal(80, NetworkFootprint.OfGraph(bytes).Overlap);
    }

    /// <summary>
    /// Three 3×3 convolutions and a dilated one (reach 1 + 1 + 1 + 2 = 5) with random weights, run by ONNX Runtime on a
    /// random image and on the same image with its centre pixel changed: outputs differ up to 5 px away and not beyond.
    /// </summary>
    [Fact]
    public void One_changed_pixel_changes_outputs_exactly_as_far_as_the_reach()
    {
        var g = new OnnxGraphBuilder();
        var x = g.Input("input", 1);
        for (var i = 0; i < 3; i++) x = g.LeakyRelu(g.Conv(x, Weight(g, 4, i == 0 ? 1 : 4, 3), null, 3, g.Fresh("c")), 0.2f, g.Fresh("a"));
        g.Conv(x, Weight(g, 1, 4, 3), null, [3, 3], [1, 1], [2, 2, 2, 2], [2, 2], "output");
        g.Output("output", 1);
        var bytes = g.ToBytes();
        Assert.Equal(5, GraphReach.Of(bytes));

        const int n = 31, c = 15;
        var random = new Random(3);
        var image = new DenseTensor<float>([1, 1, n, n]);
        for (var i = 0; i < n * n; i++) image.Buffer.Span[i] = random.NextSingle();
        var before = OnnxRunner.Run(bytes, image);
        image[0, 0, c, c] += 0.5f;
        var after = OnnxRunner.Run(bytes, image);
        var farthest = 0;
        for (var y = 0; y < n; y++)
            for (var x2 = 0; x2 < n; x2++)
            {
                if (before[0, 0, y, x2] != after[0, 0, y, x2]) farthest = Math.Max(farthest, Math.Max(Math.Abs(y - c), Math.Abs(x2 - c)));
            }
        Assert.Equal(5, farthest);
    }

    /// <summary>
    /// SRVGGNetCompact as exported by PyTorch: conv_first, 32 body convolutions and the last one, all 3×3 at the input's
    /// resolution (34 px), then pixel shuffle and the nearest-upsampled input added (nothing more).
    /// </summary>
    [Fact]
    public void The_exported_general_x4v3_graph_reaches_its_34_convolutions()
    {
        Assert.Equal(34, GraphReach.Of(TestModels.GeneralX4.OnnxModel));
    }

    private static string Weight(OnnxGraphBuilder g, int outputs, int inputs, int kernel)
    {
        var random = new Random(outputs * 100 + inputs * 10 + kernel);
        var w = new float[outputs * inputs * kernel * kernel];
        for (var i = 0; i < w.Length; i++) w[i] = random.NextSingle() - 0.3f;
        return g.Initializer(g.Fresh("w"), w, outputs, inputs, kernel, kernel);
    }
}
