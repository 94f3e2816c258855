using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>The range of values one activation tensor took during calibration.</summary>
public readonly record struct ActivationRange(float Min, float Max);

/// <summary>
/// int8 quantisation of a float32 ONNX graph in QDQ form, the form ONNX Runtime fuses into integer convolutions:
/// every Conv's weights become int8 with one symmetric scale per output channel (scale = max|w| / 127), its bias
/// int32 at the input scale × weight scale, and its input and output pass through QuantizeLinear → DequantizeLinear
/// pairs with uint8 per-tensor ranges (the activation format x86's integer kernels take). A PReLU or LeakyReLU
/// from one quantised convolution into another becomes a table lookup on the uint8 values; everything else between
/// convolutions (additions, pixel shuffles) stays float.
/// </summary>
public static class QdqGraph
{
    /// <summary>The Conv nodes of <paramref name="model"/>, in graph order (the order <see cref="Quantize"/>'s float list counts in).</summary>
    public static IReadOnlyList<(string Input, string Output)> Convolutions(byte[] model) =>
        [.. ModelProto.Parser.ParseFrom(model).Graph.Node.Where(n => n.OpType == "Conv").Select(n => (n.Input[0], n.Output[0]))];

    /// <summary>The activations <see cref="Quantize"/> needs ranges of: every Conv's input and output.</summary>
    public static IReadOnlyList<string> CalibrationTensors(byte[] model) =>
        [.. Convolutions(model).SelectMany(c => new[] { c.Input, c.Output }).Distinct()];

    /// <summary>The same graph with <paramref name="tensors"/> (float values) exposed as extra outputs, for percentile calibration.</summary>
    public static byte[] WithOutputs(byte[] model, IEnumerable<string> tensors)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var existing = m.Graph.Output.Select(o => o.Name).ToHashSet();
        m.Graph.Output.AddRange(tensors.Where(t => !existing.Contains(t)).Select(t => OnnxTensors.Value(t, OnnxTensors.Float)));
        return m.ToByteArray();
    }

    /// <summary>
    /// The same graph computing only the smallest and largest value of each of <paramref name="tensors"/>, for min/max
    /// calibration: one output, <see cref="Ranges"/>, read with <see cref="ReadRanges"/>. No activation leaves ONNX
    /// Runtime, so each can be let go after its last reader rather than held to the end of the run.
    /// </summary>
    /// <param name="tensors">In graph order.</param>
    public static byte[] WithRanges(byte[] model, IReadOnlyList<string> tensors)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        m.Graph.Output.Clear();
        m.Graph.Node.Add(OnnxTensors.Node("Constant", RangeShape, [], [RangeShape],
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensors.Tensor(RangeShape, TensorProto.Types.DataType.Int64, new long[] { 1 }, 1) }));
        var parts = new List<string>();
        // Deepest first: ONNX Runtime orders nodes by a depth-first walk back from the output that takes a node's last
        // input first, so each reduction then runs right after its tensor is made (listed in graph order, a prototype
        // held every tensor to the end, more memory than exposing them in groups).
        foreach (var t in tensors.Reverse())
        {
            foreach (var (op, name) in new[] { ("ReduceMin", t + "/calibration_min"), ("ReduceMax", t + "/calibration_max") })
            {
                // No axes: over every element, in every opset.
                m.Graph.Node.Add(OnnxTensors.Node(op, name, [t], [name], OnnxTensors.Int("keepdims", 0)));
                m.Graph.Node.Add(OnnxTensors.Node("Reshape", name + "/1", [name, RangeShape], [name + "/1"]));
                parts.Add(name + "/1");
            }
        }
        m.Graph.Node.Add(OnnxTensors.Node("Concat", Ranges, [.. parts], [Ranges], OnnxTensors.Int("axis", 0)));
        m.Graph.Output.Add(OnnxTensors.Value(Ranges, OnnxTensors.Float));
        return m.ToByteArray();
    }

    /// <summary>The one output of <see cref="WithRanges"/>.</summary>
    public const string Ranges = "calibration_ranges";

    private const string RangeShape = "calibration_ranges/shape";

    /// <summary>Tensor k's range in <paramref name="ranges"/>, the output of <see cref="WithRanges"/> for the same <paramref name="tensors"/>.</summary>
    public static ActivationRange ReadRanges(IReadOnlyList<string> tensors, ReadOnlySpan<float> ranges, int k)
    {
        var at = 2 * (tensors.Count - 1 - k);
        return new ActivationRange(ranges[at], ranges[at + 1]);
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
        var zeros = new Dictionary<string, byte>();
        var convIndex = -1;
        var opset = m.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        foreach (var node in g.Node)
        {
            if (Lookup(node)) continue;
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
        // A conv output only the lookup read leaves its float copy (DQ) unread.
        var read = nodes.SelectMany(n => n.Input).Concat(g.Output.Select(o => o.Name)).ToHashSet();
        nodes.RemoveAll(n => n.OpType == "DequantizeLinear" && !read.Contains(n.Output[0]));
        g.Node.Clear();
        g.Node.AddRange(nodes);
        // The float weights and biases the integer ones replace: ONNX Runtime would drop each with a warning.
        var used = nodes.SelectMany(n => n.Input).ToHashSet();
        var unused = g.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var t in unused) g.Initializer.Remove(t);
        return m.ToByteArray();

        // An activation whose input is a quantised conv output and whose output a quantised conv reads runs on the
        // uint8 values through a table per channel (256 entries: exactly DQ → activation → Q of every code), instead of
        // dequantising, activating and quantising whole float tensors (≈40 % of an int8 SRVGG tile). ONNX Runtime has no
        // per-channel table op (its QLinearLeakyRelu takes one slope; one per channel, 2,112 nodes in realesr-general-x4v3,
        // make the session take seconds to create, an experiment not kept), so the table is read with GatherElements (opset 11): x as [N, C, H·W]
        // indexes row c of a [N, C, 256] table. The CPU engine cuts the graph there and does the lookup itself (CutGraph);
        // the graph stays whole and correct for any other runtime.
        bool Lookup(NodeProto node)
        {
            if (node.OpType is not ("PRelu" or "LeakyRelu") || !quantised.TryGetValue(node.Input[0], out var x)
                || !ranges.TryGetValue(node.Output[0], out var range) || opset < 11) return false;
            float[] slopes;
            if (node.OpType == "LeakyRelu") slopes = [node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 0.01f];
            else if (initializers.TryGetValue(node.Input[1], out var slope) && PerChannel(slope)) slopes = OnnxTensors.Floats(slope);
            else return false;
            var output = node.Output[0];
            var y = Parameters(output, range);
            int xZero = zeros[x.Zero], yZero = zeros[y.Zero];
            var rows = slopes.Length;
            var table = new byte[rows * 256];
            for (var c = 0; c < rows; c++)
            {
                for (var q = 0; q < 256; q++)
                {
                    // As ONNX Runtime's float nodes compute it: (q − zero)·scale, the activation, then round half to even.
                    var v = (q - xZero) * x.ScaleValue;
                    table[c * 256 + q] = (byte)Math.Clamp(MathF.Round((v >= 0 ? v : slopes[c] * v) / y.ScaleValue) + yZero, 0, 255);
                }
            }
            string T(string suffix) => output + suffix;
            g.Initializer.Add(OnnxTensors.Tensor(T(".table"), TensorProto.Types.DataType.Uint8, table, 1, rows, 256));
            g.Initializer.Add(OnnxTensors.Tensor(T(".rows"), TensorProto.Types.DataType.Int64, new long[] { 0, rows, -1 }, 3));
            g.Initializer.Add(OnnxTensors.Tensor(T(".first"), TensorProto.Types.DataType.Int64, new long[] { 0 }, 1));
            g.Initializer.Add(OnnxTensors.Tensor(T(".codes"), TensorProto.Types.DataType.Int64, new long[] { rows, 256 }, 2));
            nodes.Add(OnnxTensors.Node("Shape", T(".shape"), [x.Q], [T(".shape")]));
            nodes.Add(OnnxTensors.Node("Gather", T(".n"), [T(".shape"), T(".first")], [T(".n")], OnnxTensors.Int("axis", 0)));
            nodes.Add(OnnxTensors.Node("Concat", T(".tshape"), [T(".n"), T(".codes")], [T(".tshape")], OnnxTensors.Int("axis", 0)));
            nodes.Add(OnnxTensors.Node("Expand", T(".tables"), [T(".table"), T(".tshape")], [T(".tables")]));
            nodes.Add(OnnxTensors.Node("Reshape", T(".flat"), [x.Q, T(".rows")], [T(".flat")]));
            nodes.Add(OnnxTensors.Node("Cast", T(".index"), [T(".flat")], [T(".index")], OnnxTensors.Int("to", (long)TensorProto.Types.DataType.Int32)));
            nodes.Add(OnnxTensors.Node("GatherElements", T(".looked"), [T(".tables"), T(".index")], [T(".looked")], OnnxTensors.Int("axis", 2)));
            nodes.Add(OnnxTensors.Node("Reshape", T(".q"), [T(".looked"), T(".shape")], [T(".q")]));
            nodes.Add(OnnxTensors.Node("DequantizeLinear", output, [T(".q"), y.Scale, y.Zero], [output]));
            quantised[output] = (T(".q"), y.Scale, y.Zero, y.ScaleValue);
            return true;
        }

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
            zeros[name + ".qzero"] = zero;
            return parameters[name] = (name + ".qscale", name + ".qzero", scale);
        }
    }

    // A slope that broadcasts along NCHW's channel axis only: [C,1,1], [1,C,1,1], or one value.
    private static bool PerChannel(TensorProto slope)
    {
        var d = slope.Dims.ToArray();
        return d.Aggregate(1L, (a, b) => a * b) == 1 || (d.Length == 3 && d[1] == 1 && d[2] == 1) || (d.Length == 4 && d[0] == 1 && d[2] == 1 && d[3] == 1);
    }
}
