using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>The range of values one activation tensor took during calibration.</summary>
public readonly record struct ActivationRange(float Min, float Max);

/// <summary>
/// int8 quantisation of a float32 ONNX graph in QDQ form, the form ONNX Runtime fuses into integer convolutions:
/// every Conv's weights become int8 with one symmetric scale per output channel (scale = max|w| / 127), its bias
/// int32 at the input scale × weight scale, and its input and output pass through QuantizeLinear → DequantizeLinear
/// pairs with uint8 per-tensor ranges (the activation format x86's integer kernels take). Everything between
/// convolutions (PReLU, additions, pixel shuffles) stays float.
/// </summary>
public static class QdqGraph
{
    /// <summary>The Conv nodes of <paramref name="model"/>, in graph order (the order <see cref="Quantize"/>'s float list counts in).</summary>
    public static IReadOnlyList<(string Input, string Output)> Convolutions(byte[] model) =>
        [.. ModelProto.Parser.ParseFrom(model).Graph.Node.Where(n => n.OpType == "Conv").Select(n => (n.Input[0], n.Output[0]))];

    /// <summary>The activations <see cref="Quantize"/> needs ranges of: every Conv's input and output.</summary>
    public static IReadOnlyList<string> CalibrationTensors(byte[] model) =>
        [.. Convolutions(model).SelectMany(c => new[] { c.Input, c.Output }).Distinct()];

    /// <summary>The same graph with <paramref name="tensors"/> (float values) exposed as extra outputs, for calibration.</summary>
    public static byte[] WithOutputs(byte[] model, IEnumerable<string> tensors)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var existing = m.Graph.Output.Select(o => o.Name).ToHashSet();
        m.Graph.Output.AddRange(tensors.Where(t => !existing.Contains(t)).Select(t => OnnxTensors.Value(t, OnnxTensors.Float)));
        return m.ToByteArray();
    }

    /// <summary>
    /// The quantised graph. <paramref name="ranges"/> has every tensor of <see cref="CalibrationTensors"/>;
    /// the Conv nodes whose graph-order index is in <paramref name="keepFloat"/> are left as they are.
    /// </summary>
    public static byte[] Quantize(byte[] model, IReadOnlyDictionary<string, ActivationRange> ranges, IReadOnlySet<int> keepFloat)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var g = m.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name);
        var nodes = new List<NodeProto>();
        var quantised = new Dictionary<string, (string Q, string Scale, string Zero, float ScaleValue)>();
        var parameters = new Dictionary<string, (string Scale, string Zero, float ScaleValue)>();
        var convIndex = -1;
        foreach (var node in g.Node)
        {
            if (node.OpType == "Conv") convIndex++;
            if (node.OpType != "Conv" || keepFloat.Contains(convIndex) || !initializers.TryGetValue(node.Input[1], out var weight))
            {
                nodes.Add(node);
                continue;
            }
            var x = Activation(node.Input[0]);
            var dqx = $"{node.Input[0]}.dq{convIndex}";
            nodes.Add(OnnxTensors.Node("DequantizeLinear", dqx, [x.Q, x.Scale, x.Zero], [dqx]));

            var w = OnnxTensors.Floats(weight);
            var outChannels = (int)weight.Dims[0];
            var perChannel = w.Length / outChannels;
            var scales = new float[outChannels];
            var wq = new sbyte[w.Length];
            for (var o = 0; o < outChannels; o++)
            {
                var max = 0f;
                for (var i = 0; i < perChannel; i++) max = Math.Max(max, Math.Abs(w[o * perChannel + i]));
                scales[o] = max > 0 ? max / 127 : 1;
                for (var i = 0; i < perChannel; i++) wq[o * perChannel + i] = (sbyte)Math.Clamp(MathF.Round(w[o * perChannel + i] / scales[o]), -127, 127);
            }
            var wName = $"{weight.Name}.int8";
            g.Initializer.Add(OnnxTensors.Tensor(wName, TensorProto.Types.DataType.Int8, wq, [.. weight.Dims]));
            g.Initializer.Add(OnnxTensors.Tensor(wName + ".scale", TensorProto.Types.DataType.Float, scales, outChannels));
            g.Initializer.Add(OnnxTensors.Tensor(wName + ".zero", TensorProto.Types.DataType.Int8, new sbyte[outChannels], outChannels));
            var dqw = wName + ".dq";
            nodes.Add(OnnxTensors.Node("DequantizeLinear", dqw, [wName, wName + ".scale", wName + ".zero"], [dqw], OnnxTensors.Int("axis", 0)));
            var inputs = new List<string> { dqx, dqw };

            if (node.Input.Count > 2 && initializers.TryGetValue(node.Input[2], out var bias))
            {
                // ONNX Runtime's integer Conv takes the bias in int32 at the accumulator's scale.
                var b = OnnxTensors.Floats(bias);
                var bScales = scales.Select(s => s * x.ScaleValue).ToArray();
                var bq = b.Select((v, o) => (int)Math.Clamp(Math.Round(v / bScales[o]), int.MinValue, int.MaxValue)).ToArray();
                var bName = $"{bias.Name}.int32";
                g.Initializer.Add(OnnxTensors.Tensor(bName, TensorProto.Types.DataType.Int32, bq, outChannels));
                g.Initializer.Add(OnnxTensors.Tensor(bName + ".scale", TensorProto.Types.DataType.Float, bScales, outChannels));
                g.Initializer.Add(OnnxTensors.Tensor(bName + ".zero", TensorProto.Types.DataType.Int32, new int[outChannels], outChannels));
                nodes.Add(OnnxTensors.Node("DequantizeLinear", bName + ".dq", [bName, bName + ".scale", bName + ".zero"], [bName + ".dq"], OnnxTensors.Int("axis", 0)));
                inputs.Add(bName + ".dq");
            }
            var output = node.Output[0];
            var conv = node.Clone();
            conv.Input.Clear();
            conv.Input.AddRange(inputs);
            conv.Output[0] = output + ".float";
            nodes.Add(conv);
            // The output keeps its name, so its consumers are unchanged: Conv → Q → DQ → (consumers).
            var y = Parameters(output, ranges[output]);
            nodes.Add(OnnxTensors.Node("QuantizeLinear", output + ".q", [conv.Output[0], y.Scale, y.Zero], [output + ".q"]));
            nodes.Add(OnnxTensors.Node("DequantizeLinear", output + ".dq", [output + ".q", y.Scale, y.Zero], [output]));
            quantised[output] = (output + ".q", y.Scale, y.Zero, y.ScaleValue);
        }
        g.Node.Clear();
        g.Node.AddRange(nodes);
        // The float weights and biases the integer ones replace: ONNX Runtime would drop each with a warning.
        var used = nodes.SelectMany(n => n.Input).ToHashSet();
        var unused = g.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var t in unused) g.Initializer.Remove(t);
        return m.ToByteArray();

        // One QuantizeLinear per activation, placed where the first Conv needs it (its producer comes before).
        (string Q, string Scale, string Zero, float ScaleValue) Activation(string name)
        {
            if (quantised.TryGetValue(name, out var existing)) return existing;
            var p = Parameters(name, ranges[name]);
            var q = name + ".q";
            nodes.Add(OnnxTensors.Node("QuantizeLinear", q, [name, p.Scale, p.Zero], [q]));
            return quantised[name] = (q, p.Scale, p.Zero, p.ScaleValue);
        }

        // uint8 with a zero point: the range is widened to hold 0 exactly (padding is 0).
        (string Scale, string Zero, float ScaleValue) Parameters(string name, ActivationRange r)
        {
            if (parameters.TryGetValue(name, out var known)) return known;
            float lo = Math.Min(0, r.Min), hi = Math.Max(0, r.Max);
            var scale = hi > lo ? (hi - lo) / 255 : 1;
            var zero = (byte)Math.Clamp(MathF.Round(-lo / scale), 0, 255);
            g.Initializer.Add(OnnxTensors.Tensor(name + ".qscale", TensorProto.Types.DataType.Float, [scale]));
            g.Initializer.Add(OnnxTensors.Tensor(name + ".qzero", TensorProto.Types.DataType.Uint8, [zero]));
            return parameters[name] = (name + ".qscale", name + ".qzero", scale);
        }
    }
}
