using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>
/// Writes ONNX graphs (opset 17) node by node: each method adds one node and returns the name of its output, so a
/// network reads as a chain of calls. Tensors are NCHW float32 with dynamic N, H and W.
/// </summary>
public sealed class OnnxGraphBuilder(string name = "satsr")
{
    private readonly GraphProto _graph = new() { Name = name };
    private int _next;

    /// <summary>A fresh value name, for callers that do not care what a node's output is called.</summary>
    public string Fresh(string hint) => $"{hint}_{_next++}";

    public string Input(string name, int channels)
    {
        _graph.Input.Add(Value(name, channels));
        return name;
    }

    public void Output(string name, int channels) => _graph.Output.Add(Value(name, channels));

    /// <summary>A constant float tensor; no <paramref name="dims"/> makes a scalar.</summary>
    public string Initializer(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        _graph.Initializer.Add(t);
        return name;
    }

    private string Int64Initializer(string name, params long[] data)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(data.Length);
        t.Int64Data.AddRange(data);
        _graph.Initializer.Add(t);
        return name;
    }

    /// <param name="pads">top, left, bottom, right</param>
    public string Conv(string x, string weight, string? bias, int[] kernel, int[] strides, int[] pads, int[] dilations, string output)
    {
        var n = Node("Conv", output, bias is null ? [x, weight] : [x, weight, bias]);
        n.Attribute.Add(Ints("kernel_shape", kernel));
        n.Attribute.Add(Ints("strides", strides));
        n.Attribute.Add(Ints("pads", pads));
        n.Attribute.Add(Ints("dilations", dilations));
        return output;
    }

    /// <summary>A square convolution with "same" padding and stride 1, the only kind Real-ESRGAN networks use.</summary>
    public string Conv(string x, string weight, string? bias, int kernel, string output) =>
        Conv(x, weight, bias, [kernel, kernel], [1, 1], [kernel / 2, kernel / 2, kernel / 2, kernel / 2], [1, 1], output);

    public string Relu(string x, string output) => Unary("Relu", x, output);

    public string LeakyRelu(string x, float alpha, string output)
    {
        Node("LeakyRelu", output, x).Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = alpha });
        return output;
    }

    /// <param name="slope">shape [C, 1, 1]</param>
    public string PRelu(string x, string slope, string output) => Binary("PRelu", x, slope, output);
    public string Add(string a, string b, string output) => Binary("Add", a, b, output);
    public string Sub(string a, string b, string output) => Binary("Sub", a, b, output);
    public string Mul(string a, string b, string output) => Binary("Mul", a, b, output);
    public string Div(string a, string b, string output) => Binary("Div", a, b, output);

    public string Concat(int axis, string[] inputs, string output)
    {
        Node("Concat", output, inputs).Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        return output;
    }

    /// <param name="mode">"CRD" is torch's PixelShuffle; "DCR" is ONNX's default.</param>
    public string DepthToSpace(string x, int block, string mode, string output)
    {
        var n = Node("DepthToSpace", output, x);
        n.Attribute.Add(new AttributeProto { Name = "blocksize", Type = AttributeProto.Types.AttributeType.Int, I = block });
        n.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(mode) });
        return output;
    }

    /// <summary>
    /// torch's pixel_unshuffle: [N, C, H·f, W·f] → [N, C·f², H, W] with channel index c·f² + i·f + j. ONNX's
    /// SpaceToDepth orders channels differently, so this is Reshape → Transpose → Reshape.
    /// </summary>
    public string PixelUnshuffle(string x, int factor, int channels, string output)
    {
        var shape = Fresh("unshuffle_shape");
        Node("Shape", shape, x);
        var hw = Fresh("unshuffle_hw");
        var gather = Node("Gather", hw, shape, Int64Initializer(Fresh("unshuffle_idx"), 2, 3));
        gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        var small = Binary("Div", hw, Int64Initializer(Fresh("unshuffle_f"), factor, factor), Fresh("unshuffle_small"));
        var h = Fresh("unshuffle_h");
        var w = Fresh("unshuffle_w");
        var split = Node("Split", h, small, Int64Initializer(Fresh("unshuffle_split"), 1, 1));
        split.Output.Add(w);
        var six = Fresh("unshuffle_6d");
        Node("Concat", six, Int64Initializer(Fresh("unshuffle_nc"), -1, channels), h, Int64Initializer(Fresh("unshuffle_f1"), factor), w, Int64Initializer(Fresh("unshuffle_f2"), factor))
            .Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        var reshaped = Binary("Reshape", x, six, Fresh("unshuffle_r"));
        var perm = Fresh("unshuffle_t");
        Node("Transpose", perm, reshaped).Attribute.Add(Ints("perm", [0, 1, 3, 5, 2, 4]));
        var four = Fresh("unshuffle_4d");
        Node("Concat", four, Int64Initializer(Fresh("unshuffle_nc2"), -1, channels * factor * factor), h, w)
            .Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        return Binary("Reshape", perm, four, output);
    }

    /// <summary>Nearest-neighbour upsampling by a whole factor (torch's F.interpolate(mode="nearest")).</summary>
    public string ResizeNearest(string x, int factor, string output)
    {
        var scales = Initializer(output + ".scales", [1, 1, factor, factor], 4);
        var n = Node("Resize", output, x, "", scales);
        n.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("nearest") });
        n.Attribute.Add(new AttributeProto { Name = "nearest_mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("floor") });
        n.Attribute.Add(new AttributeProto { Name = "coordinate_transformation_mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("asymmetric") });
        return output;
    }

    public byte[] ToBytes()
    {
        var m = new ModelProto { IrVersion = 8, Graph = _graph, ProducerName = "satsr" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return m.ToByteArray();
    }

    private string Unary(string op, string x, string output)
    {
        Node(op, output, x);
        return output;
    }

    private string Binary(string op, string a, string b, string output)
    {
        Node(op, output, a, b);
        return output;
    }

    private NodeProto Node(string op, string output, params string[] inputs)
    {
        var n = new NodeProto { OpType = op, Name = output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        _graph.Node.Add(n);
        return n;
    }

    private static AttributeProto Ints(string name, int[] values) => OnnxTensors.Ints(name, [.. values.Select(i => (long)i)]);

    private static ValueInfoProto Value(string name, int channels)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = channels });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "H" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "W" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
