using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>
/// Rewrites each PReLU whose slopes are a constant per channel as y + (1 − a)·Relu(−y): a depthwise 1×1 convolution
/// by −1 with the Relu fused, a depthwise 1×1 convolution by 1 − a, and the Add, which ONNX Runtime's CPU provider
/// folds into that convolution. All of it stays in the runtime's blocked channel layout (NCHWc), which has no PReLU:
/// a PReLU there costs a layout change before and after it. realesr-general-x4v3 on one 304² tile: 1.48 → 1.28 s
/// (docs/BENCHMARKS.md, "PReLU in the blocked layout"). The values are the PReLU's up to float rounding.
/// </summary>
public static class DepthwisePRelu
{
    /// <summary>The runtime blocks channels by 8 or 16 (AVX2, AVX-512); a PReLU over other counts stays as it is.</summary>
    private const int Block = 16;

    public static byte[] Rewrite(byte[] model)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var g = m.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < g.Node.Count; i++)
        {
            var n = g.Node[i];
            if (n.OpType != "PRelu" || n.Domain.Length > 0 || !initializers.TryGetValue(n.Input[1], out var slope) || !PerChannel(slope, out var channels))
                continue;
            var a = OnnxTensors.Floats(slope);
            var y = n.Input[0];
            var output = n.Output[0];
            var negate = Weights(g, $"{output}.prelu_negate", Enumerable.Repeat(-1f, channels).ToArray());
            var scale = Weights(g, $"{output}.prelu_scale", a.Select(v => 1 - v).ToArray());
            g.Node.RemoveAt(i);
            g.Node.Insert(i, Depthwise(y, negate, $"{output}.prelu_negated", channels));
            g.Node.Insert(i + 1, OnnxTensors.Node("Relu", $"{output}.prelu_relu", [$"{output}.prelu_negated"], [$"{output}.prelu_negative_part"]));
            g.Node.Insert(i + 2, Depthwise($"{output}.prelu_negative_part", scale, $"{output}.prelu_scaled", channels));
            g.Node.Insert(i + 3, OnnxTensors.Node("Add", $"{output}.prelu_add", [y, $"{output}.prelu_scaled"], [output]));
            i += 3;
            replaced.Add(slope.Name);
        }
        if (replaced.Count == 0) return model;
        // Slopes no node reads any more go, and with them their entries among the graph's inputs, where files from
        // before ONNX IR 4 list every initializer: left there, they would become inputs the caller has to feed.
        replaced.ExceptWith(g.Node.SelectMany(n => n.Input));
        foreach (var t in g.Initializer.Where(t => replaced.Contains(t.Name)).ToList()) g.Initializer.Remove(t);
        foreach (var v in g.Input.Where(v => replaced.Contains(v.Name)).ToList()) g.Input.Remove(v);
        return m.ToByteArray();
    }

    /// <summary>Slopes of shape [C, 1, 1] or [1, C, 1, 1], float, C a multiple of the runtime's block.</summary>
    private static bool PerChannel(TensorProto slope, out int channels)
    {
        var dims = slope.Dims.ToArray();
        var c = dims.Length switch
        {
            3 when dims[1] == 1 && dims[2] == 1 => dims[0],
            4 when dims[0] == 1 && dims[2] == 1 && dims[3] == 1 => dims[1],
            _ => 0,
        };
        channels = (int)c;
        return slope.DataType == OnnxTensors.Float && c > 0 && c % Block == 0;
    }

    private static string Weights(GraphProto g, string name, float[] perChannel)
    {
        g.Initializer.Add(OnnxTensors.Tensor(name, TensorProto.Types.DataType.Float, perChannel, perChannel.Length, 1, 1, 1));
        return name;
    }

    private static NodeProto Depthwise(string x, string weights, string output, int channels) =>
        OnnxTensors.Node("Conv", output, [x, weights], [output], OnnxTensors.Int("group", channels), OnnxTensors.Ints("kernel_shape", 1, 1));
}
