using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SatSR.Geometry;
using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Models.Onnx;
using SatSR.Raster;

namespace SatSR.Tests.Models;

/// <summary>
/// The fp16 graph of the default network. This machine's ONNX Runtime CPU provider has no fp16 Conv: it runs each
/// fp16 node in float32 between casts and drops the casts between neighbouring nodes, so running the fp16 graph
/// here would round the weights only. The numeric test therefore runs the fp16 graph's own weights in a float32
/// graph with a float32→fp16→float32 cast pair after every node (optimisations off, so the pairs stay): the rounding
/// a GPU's fp16 storage of weights and activations causes; not fp16 arithmetic inside a convolution.
/// </summary>
public class Fp16GraphTests
{
    private static readonly byte[] Fp32 = TestModels.GeneralX4.OnnxModel;

    [Fact]
    public void Weights_and_activations_are_fp16_with_float32_at_the_graph_edges()
    {
        var g = ModelProto.Parser.ParseFrom(Fp16Graph.Convert(Fp32)).Graph;
        Assert.All(g.Input.Concat(g.Output), v => Assert.Equal((int)TensorProto.Types.DataType.Float, v.Type.TensorType.ElemType));
        var convWeights = g.Node.Where(n => n.OpType == "Conv").SelectMany(n => n.Input.Skip(1)).ToHashSet();
        Assert.Equal(68, convWeights.Count);   // 34 convolutions' weights and biases
        Assert.All(g.Initializer.Where(t => convWeights.Contains(t.Name)), t => Assert.Equal((int)TensorProto.Types.DataType.Float16, t.DataType));
        var first = g.Node.First();
        Assert.Equal(("Cast", g.Input[0].Name), (first.OpType, first.Input[0]));
        var last = g.Node.Last();
        Assert.Equal(("Cast", g.Output[0].Name), (last.OpType, last.Output[0]));
    }

    [Fact]
    public void Fp16_rounding_stays_within_50_dB_of_fp32_on_a_real_crop()
    {
        // A CBERS RGB crop, 8-bit / 255 as the pipeline normalises 8-bit data.
        const int side = 64;
        using var src = RasterDataset.Open(TestFiles.Fixture("cbers_rgb342_20m.tif"));
        var pixels = new double[3 * side * side];
        src.Read<double>(new Window(300, 300, side, side), [1, 2, 3], pixels);
        var input = pixels.Select(v => (float)(v / 255)).ToArray();

        var reference = Run(Fp32, input, side);
        var rounded = Run(RoundedToFp16(Fp16Graph.Convert(Fp32)), input, side);
        Assert.NotEqual(reference, rounded);   // the rounding did happen
        double mse = 0;
        for (var i = 0; i < reference.Length; i++) mse += Math.Pow(Math.Clamp(reference[i], 0, 1) - Math.Clamp(rounded[i], 0, 1), 2);
        var psnr = 10 * Math.Log10(1 / (mse / reference.Length));
        Assert.InRange(psnr, 50, double.PositiveInfinity);
    }

    [Fact]
    public void The_fp16_graph_of_the_default_network_loads_and_runs_as_the_engine_runs_it()
    {
        // Built from the official .pth, the network's last node is named "output" like the value it makes.
        var fp32 = ModelLoader.Load(PthFixtures.File("realesr-general-x4v3.pth")).OnnxModel;
        var input = Enumerable.Range(0, 3 * 16 * 16).Select(i => (i % 17) / 16f).ToArray();
        var reference = Run(fp32, input, 16, GraphOptimizationLevel.ORT_ENABLE_ALL);
        var fp16 = Run(Fp16Graph.Convert(fp32), input, 16, GraphOptimizationLevel.ORT_ENABLE_ALL);
        Assert.Equal(reference.Length, fp16.Length);
        Assert.InRange(reference.Zip(fp16, (a, b) => Math.Abs(a - b)).Max(), 0, 0.05);
    }

    /// <summary>The fp16 graph as float32: its fp16 weights widened exactly, each node's output cast to fp16 and back.</summary>
    private static byte[] RoundedToFp16(byte[] fp16)
    {
        var m = ModelProto.Parser.ParseFrom(fp16);
        var g = m.Graph;
        foreach (var t in g.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float16))
        {
            var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(t.RawData.Span).ToArray();
            t.DataType = (int)TensorProto.Types.DataType.Float;
            t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.Select(h => (float)h).ToArray().AsSpan()));
        }
        var nodes = new List<NodeProto>();
        foreach (var n in g.Node)
        {
            if (n.OpType == "Cast") // the graph's edges: with float32 weights there is nothing to convert
            {
                nodes.Add(new NodeProto { OpType = "Identity", Name = n.Name, Input = { n.Input }, Output = { n.Output } });
                continue;
            }
            nodes.Add(n);
            if (n.OpType == "Constant") continue;
            var y = n.Output[0];
            n.Output[0] = y + ".wide";
            nodes.Add(Cast(y + ".wide", y + ".half", TensorProto.Types.DataType.Float16));
            nodes.Add(Cast(y + ".half", y, TensorProto.Types.DataType.Float));
        }
        g.Node.Clear();
        g.Node.AddRange(nodes);
        return m.ToByteArray();
    }

    private static NodeProto Cast(string input, string output, TensorProto.Types.DataType to) => new()
    {
        OpType = "Cast", Name = output, Input = { input }, Output = { output },
        Attribute = { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)to } },
    };

    private static float[] Run(byte[] model, float[] input, int side, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_DISABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, side, side]);
        using var run = new RunOptions();
        using var results = session.Run(run, [session.InputMetadata.Keys.Single()], [value], [session.OutputMetadata.Keys.First()]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
