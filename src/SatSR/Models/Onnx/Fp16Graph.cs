using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>
/// Turns a float32 ONNX graph into an fp16 one: every float weight and constant is stored as fp16 (so every
/// activation computed from them is fp16 too), with a Cast to fp16 after each graph input and a Cast back to
/// float32 before each graph output, so callers still feed and read float32. Resize's scales and roi stay float32
/// (the operator requires it).
/// </summary>
public static class Fp16Graph
{
    public static byte[] Convert(byte[] model)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var g = m.Graph;
        // Resize takes (X, roi, scales, sizes): only X may be fp16.
        var keepFloat = g.Node.Where(n => n.OpType == "Resize").SelectMany(n => n.Input.Skip(1)).ToHashSet();
        foreach (var t in g.Initializer.Where(t => t.DataType == OnnxTensors.Float && !keepFloat.Contains(t.Name))) ToHalf(t);
        foreach (var n in g.Node.Where(n => n.OpType == "Constant" && !n.Output.Any(keepFloat.Contains)))
        {
            foreach (var a in n.Attribute.Where(a => a.Name == "value" && a.T?.DataType == OnnxTensors.Float)) ToHalf(a.T);
        }
        foreach (var n in g.Node.Where(n => n.OpType == "Cast"))
        {
            foreach (var a in n.Attribute.Where(a => a.Name == "to" && a.I == OnnxTensors.Float)) a.I = OnnxTensors.Float16;
        }
        // Intermediate types are inferred again by the runtime.
        g.ValueInfo.Clear();

        var head = new List<NodeProto>();
        foreach (var input in g.Input.Where(i => i.Type.TensorType.ElemType == OnnxTensors.Float))
        {
            var half = input.Name + ".fp16";
            Rename(g, input.Name, half, inputs: true);
            head.Add(OnnxTensors.Node("Cast", "cast:" + half, [input.Name], [half], OnnxTensors.Int("to", OnnxTensors.Float16)));
        }
        foreach (var output in g.Output.Where(o => o.Type.TensorType.ElemType == OnnxTensors.Float))
        {
            var half = output.Name + ".fp16";
            Rename(g, output.Name, half, inputs: true);
            Rename(g, output.Name, half, inputs: false);
            // Named after the value it makes, not as it: the node that made the output is often named like it.
            g.Node.Add(OnnxTensors.Node("Cast", "cast:" + output.Name, [half], [output.Name], OnnxTensors.Int("to", OnnxTensors.Float)));
        }
        for (var i = head.Count - 1; i >= 0; i--) g.Node.Insert(0, head[i]);
        return m.ToByteArray();
    }

    private static void ToHalf(TensorProto t)
    {
        var halves = OnnxTensors.Floats(t).Select(v => (Half)v).ToArray();
        t.FloatData.Clear();
        t.DataType = OnnxTensors.Float16;
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()));
    }

    /// <summary>Renames value <paramref name="from"/> where nodes consume it (<paramref name="inputs"/>) or produce it.</summary>
    private static void Rename(GraphProto g, string from, string to, bool inputs)
    {
        foreach (var n in g.Node)
        {
            var names = inputs ? n.Input : n.Output;
            for (var i = 0; i < names.Count; i++) if (names[i] == from) names[i] = to;
        }
    }
}
