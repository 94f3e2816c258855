using System.Runtime.CompilerServices;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>
/// The receptive field of an ONNX graph read off its operators: the farthest, in input pixels, that one input pixel can
/// change an output value. It is an exact bound (the kernels' extent, not an effect measured on some image), so a tile
/// overlap of this size leaves no seam; for a deep network it is far larger than the reach that matters, and callers
/// cap it. Null when the graph has an operator whose spatial extent is not known here (a global pooling, a reshape, a
/// resize to fixed sizes): then nothing can be said.
/// </summary>
public static class GraphReach
{
    // A graph's bytes are parsed once; a model keeps its array for its lifetime.
    private static readonly ConditionalWeakTable<byte[], StrongBox<double?>> Cache = new();

    /// <summary>Operators that compute each pixel from the same pixel of their inputs (channel-wise or element-wise).</summary>
    private static readonly HashSet<string> PixelWise =
    [
        "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softplus", "Erf",
        "Gelu", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Max", "Min", "Mean", "Sum", "Cast",
        "Identity", "Dropout", "BatchNormalization", "Round", "Floor", "Ceil", "Reciprocal",
    ];

    public static double? Of(byte[] model) => Cache.GetValue(model, m => new StrongBox<double?>(Compute(ModelProto.Parser.ParseFrom(m).Graph))).Value;

    /// <summary>What is known of a tensor: its reach in graph-input pixels and its pixels per graph-input pixel (null: holds no image, e.g. a weight).</summary>
    private readonly record struct Extent(double Reach, double? Scale);

    private static double? Compute(GraphProto g)
    {
        var known = new Dictionary<string, Extent>();
        var constants = new Dictionary<string, TensorProto>();
        foreach (var t in g.Initializer)
        {
            constants[t.Name] = t;
            known[t.Name] = new Extent(0, null);
        }
        foreach (var input in g.Input.Where(i => !known.ContainsKey(i.Name))) known[input.Name] = new Extent(0, 1);
        known[""] = new Extent(0, null);

        foreach (var n in g.Node)
        {
            // A malformed node is the runtime's to refuse, with its own message; here it only means nothing is known.
            if (n.Output.Count == 0) return null;
            if (n.OpType == "Constant")
            {
                if (n.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value) constants[n.Output[0]] = value;
                known[n.Output[0]] = new Extent(0, null);
                continue;
            }
            if (!n.Input.All(known.ContainsKey)) return null;
            var image = n.Input.Select(i => known[i]).Where(e => e.Scale is not null).ToList();
            if (image.Count == 0)
            {
                foreach (var o in n.Output) known[o] = new Extent(0, null);
                continue;
            }
            if (image.Any(e => e.Scale != image[0].Scale)) return null;
            var (reach, scale) = (image.Max(e => e.Reach), image[0].Scale!.Value);
            Extent? result = n.OpType switch
            {
                _ when PixelWise.Contains(n.OpType) => new Extent(reach, scale),
                "Concat" or "Split" when Int(n, "axis", 0) is 1 or -3 => new Extent(reach, scale),
                "Conv" => Conv(n, constants, reach, scale),
                "ConvTranspose" => ConvTranspose(n, constants, reach, scale),
                "DepthToSpace" => new Extent(reach, scale * Int(n, "blocksize", 1)),
                "SpaceToDepth" => new Extent(reach + (Int(n, "blocksize", 1) - 1) / scale, scale / Int(n, "blocksize", 1)),
                "Resize" or "Upsample" => Resize(n, constants, reach, scale),
                _ => null,
            };
            if (result is null) return null;
            foreach (var o in n.Output) known[o] = result.Value;
        }
        var outputs = g.Output.Select(o => known.TryGetValue(o.Name, out var e) ? e : (Extent?)null).ToList();
        return outputs.Count == 0 || outputs.Any(e => e is null) ? null : outputs.Max(e => e!.Value.Reach);
    }

    /// <summary>A convolution reaches, on its farther side, max(pad, extent − pad) of its input's pixels.</summary>
    private static Extent? Conv(NodeProto n, Dictionary<string, TensorProto> constants, double reach, double scale)
    {
        if (Kernel(n, constants) is not { } kernel) return null;
        var dilations = Ints(n, "dilations") ?? [1, 1];
        var strides = Ints(n, "strides") ?? [1, 1];
        var pads = Ints(n, "pads") ?? [0, 0, 0, 0];
        var autoPad = Str(n, "auto_pad");
        if (kernel.Length != 2 || dilations.Length != 2 || strides.Length != 2 || pads.Length != 4 || strides[0] != strides[1]) return null;
        double side = 0;
        for (var axis = 0; axis < 2; axis++)
        {
            var extent = (kernel[axis] - 1) * dilations[axis];
            var before = autoPad is "SAME_UPPER" or "SAME_LOWER" ? (extent + 1) / 2 : pads[axis];
            side = Math.Max(side, Math.Max(before, extent - before));
        }
        return new Extent(reach + side / scale, scale / strides[0]);
    }

    /// <summary>A transposed convolution: every output pixel sees input pixels up to its whole kernel away, in output pixels.</summary>
    private static Extent? ConvTranspose(NodeProto n, Dictionary<string, TensorProto> constants, double reach, double scale)
    {
        if (Kernel(n, constants) is not { } kernel) return null;
        var dilations = Ints(n, "dilations") ?? [1, 1];
        var strides = Ints(n, "strides") ?? [1, 1];
        if (kernel.Length != 2 || dilations.Length != 2 || strides.Length != 2 || strides[0] != strides[1]) return null;
        var outScale = scale * strides[0];
        var extent = Math.Max((kernel[0] - 1) * dilations[0], (kernel[1] - 1) * dilations[1]);
        return new Extent(reach + extent / outScale, outScale);
    }

    /// <summary>
    /// Nearest-neighbour resizing by a whole factor reads only the pixel under each output pixel (with the floor or the
    /// rounding half-pixel mapping); any other nearest mapping may take the neighbour, linear one pixel each side, cubic two.
    /// </summary>
    private static Extent? Resize(NodeProto n, Dictionary<string, TensorProto> constants, double reach, double scale)
    {
        var scalesInput = n.OpType == "Upsample" || n.Input.Count == 2 ? 1 : 2;
        if (n.Input.Count <= scalesInput || !constants.TryGetValue(n.Input[scalesInput], out var t) || t.DataType != OnnxTensors.Float) return null;
        var scales = OnnxTensors.Floats(t);
        if (scales.Length != 4 || scales[0] != 1 || scales[1] != 1 || scales[2] != scales[3] || scales[2] <= 0) return null;
        var factor = (double)scales[2];
        var mode = Str(n, "mode") ?? "nearest";
        var mapping = Str(n, "coordinate_transformation_mode") ?? "half_pixel";
        var rounding = Str(n, "nearest_mode") ?? "round_prefer_floor";
        var exact = factor >= 1 && factor == Math.Floor(factor) &&
            ((mapping == "asymmetric" && rounding == "floor") || (mapping is "half_pixel" or "pytorch_half_pixel" && rounding.StartsWith("round_prefer", StringComparison.Ordinal)));
        double taps = mode switch
        {
            "nearest" => exact || n.OpType == "Upsample" ? 0 : 1,
            "linear" or "bilinear" => 1,
            "cubic" => 2,
            _ => double.NaN,
        };
        return double.IsNaN(taps) ? null : new Extent(reach + taps / scale, scale * factor);
    }

    private static long[]? Kernel(NodeProto n, Dictionary<string, TensorProto> constants) =>
        Ints(n, "kernel_shape") ?? (n.Input.Count > 1 && constants.TryGetValue(n.Input[1], out var w) && w.Dims.Count == 4 ? w.Dims.Skip(2).ToArray() : null);

    private static long[]? Ints(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

    private static long Int(NodeProto n, string name, long fallback) => n.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    private static string? Str(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name)?.S.ToStringUtf8();
}
