using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Models.Onnx;

namespace SatSR.Tests.Models;

public class DepthwisePReluTests
{
    [Fact]
    public void Each_PReLU_becomes_depthwise_convolutions_that_compute_its_values_for_any_slope()
    {
        // Slopes below 0, between 0 and 1, and above 1 (realesr-general-x4v3 has all three).
        float[] slopes = [-1.6f, -0.5f, -0.01f, 0f, 0.01f, 0.1f, 0.25f, 0.5f, 0.75f, 0.99f, 1f, 1.01f, 1.25f, 1.5f, 1.9f, 0.3f];
        var graph = PReluGraph(slopes);
        var random = new Random(7);
        var input = new DenseTensor<float>([1, 16, 5, 7]);
        for (var i = 0; i < input.Length; i++) input.SetValue(i, (float)(random.NextDouble() * 8 - 4));

        var rewritten = DepthwisePRelu.Rewrite(graph);
        var actual = OnnxRunner.Run(rewritten, input);

        var nodes = ModelProto.Parser.ParseFrom(rewritten).Graph.Node;
        Assert.DoesNotContain(nodes, n => n.OpType == "PRelu");
        Assert.Equal(2, nodes.Count(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "group" && a.I == 16)));
        var worst = 0.0;
        for (var c = 0; c < 16; c++)
        for (var i = 0; i < 35; i++)
        {
            var y = input.GetValue(c * 35 + i);
            var expected = y >= 0 ? y : slopes[c] * y;   // PReLU's definition
            worst = Math.Max(worst, Math.Abs(expected - actual.GetValue(c * 35 + i)));
        }
        Assert.InRange(worst, 0, 1e-5);
    }

    [Fact]
    public void A_PReLU_over_channels_the_runtime_cannot_block_is_left_as_it_is()
    {
        var graph = PReluGraph([0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.1f, 1.2f, 1.3f]);

        Assert.Equal(graph, DepthwisePRelu.Rewrite(graph));
    }

    [Fact]
    public void Slopes_listed_among_the_graph_inputs_as_old_files_do_are_not_left_as_inputs_to_feed()
    {
        var model = ModelProto.Parser.ParseFrom(PReluGraph([.. Enumerable.Range(0, 16).Select(c => c / 10f)]));
        var slope = model.Graph.Initializer.Single();
        model.Graph.Input.Add(new ValueInfoProto { Name = slope.Name, Type = model.Graph.Input[0].Type });   // ONNX IR < 4
        var input = new DenseTensor<float>([1, 16, 2, 3]);
        for (var i = 0; i < input.Length; i++) input.SetValue(i, i % 2 == 0 ? -1f : 1f);

        var rewritten = ModelProto.Parser.ParseFrom(DepthwisePRelu.Rewrite(model.ToByteArray()));

        Assert.Equal(["input"], rewritten.Graph.Input.Select(v => v.Name));
        Assert.DoesNotContain(rewritten.Graph.Initializer, t => t.Name == slope.Name);
        var output = OnnxRunner.Run(rewritten.ToByteArray(), input);
        Assert.Equal(-0.5f, output[0, 5, 0, 0], 1e-6f);   // channel 5's slope 0.5 times −1
    }

    [Fact]
    public void The_default_network_rewritten_computes_what_its_pytorch_export_computes()
    {
        var model = ModelLoader.Load(PthFixtures.File("realesr-general-x4v3.pth"));
        var export = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "realesr-general-x4v3.onnx"));
        var input = new DenseTensor<float>([1, 3, 24, 24]);
        for (var i = 0; i < input.Length; i++) input.SetValue(i, 0.5f + 0.4f * MathF.Sin(0.37f * i));

        var rewritten = DepthwisePRelu.Rewrite(model.OnnxModel);

        var nodes = ModelProto.Parser.ParseFrom(rewritten).Graph.Node;
        Assert.DoesNotContain(nodes, n => n.OpType == "PRelu");
        // SRVGGNetCompact: a PReLU after the first convolution and after each of its 32 body convolutions.
        Assert.Equal(2 * 33, nodes.Count(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "group" && a.I == 64)));
        Assert.InRange(PthFixtures.MaxAbsDifference(OnnxRunner.Run(export, input), OnnxRunner.Run(rewritten, input)), 0, 1e-4);
    }

    [Fact]
    public void The_cpu_engine_which_runs_the_rewrite_computes_what_the_pytorch_export_computes()
    {
        var input = new DenseTensor<float>([1, 3, 24, 24]);
        for (var i = 0; i < input.Length; i++) input.SetValue(i, 0.5f + 0.4f * MathF.Cos(0.23f * i));
        using var engine = InferenceEngine.Create(TestModels.GeneralX4, ExecutionDevice.Cpu, 24, 24, threads: 1);
        input.Buffer.Span.CopyTo(engine.Input);

        engine.Run();

        var expected = OnnxRunner.Run(TestModels.GeneralX4.OnnxModel, input);   // PyTorch's export, PReLUs as they are
        Assert.Equal(expected.Length, engine.OutputLength);
        Assert.InRange(expected.Buffer.Span.ToArray().Zip(engine.Output.ToArray(), (a, b) => Math.Abs(a - b)).Max(), 0, 1e-4);
    }

    /// <summary>"input" → PRelu with one slope per channel ([C, 1, 1], as torch exports it) → "output".</summary>
    private static byte[] PReluGraph(float[] slopes)
    {
        var g = new OnnxGraphBuilder("prelu");
        var slope = g.Initializer("slope", slopes, slopes.Length, 1, 1);
        g.PRelu(g.Input("input", slopes.Length), slope, "output");
        g.Output("output", slopes.Length);
        return g.ToBytes();
    }
}
