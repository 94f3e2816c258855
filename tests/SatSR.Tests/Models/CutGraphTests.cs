using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Models.Onnx;
using SatSR.Pipeline;

namespace SatSR.Tests.Models;

/// <summary>
/// The int8 graph cut at its table lookups (<see cref="CutGraph"/>), as the CPU engine runs it, against ONNX Runtime
/// running the whole quantised graph, whose GatherElements does the lookups: the reference is ONNX Runtime's.
/// </summary>
public class CutGraphTests
{
    private const int Side = 40;

    /// <summary>Two tiles of the CBERS town fixture, 0..1, as three equal channels each.</summary>
    private static float[] Tiles()
    {
        var pixels = TestRasters.ReadAll(TestFiles.Fixture("cbers2b_pan_town_256.tif"), out var profile);
        var tiles = new float[2 * 3 * Side * Side];
        for (var n = 0; n < 2; n++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < Side; y++)
                {
                    for (var x = 0; x < Side; x++)
                    {
                        tiles[((n * 3 + c) * Side + y) * Side + x] = (float)(pixels[(60 * n + y) * profile.Width + 80 + x] / 255);
                    }
                }
            }
        }
        return tiles;
    }

    private static ModelDescriptor Quantised(float[] tiles) =>
        Int8Model.Quantise(TestModels.GeneralX4, [tiles[..(3 * Side * Side)]], 3, Side, Side, threads: 1, CancellationToken.None);

    [Fact]
    public void The_cpu_int8_engine_gives_the_whole_quantised_graph_s_output_bit_for_bit_for_every_tile_of_a_batch()
    {
        var tiles = Tiles();
        var model = Quantised(tiles);
        var cut = CutGraph.Cut(model.OnnxModel);
        Assert.NotNull(cut);
        // realesr-general-x4v3 has a PReLU after each of its 33 convolutions but the last; the first convolution stays float.
        Assert.Equal(32, cut.Steps.OfType<TableLookup>().Count());

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED };
        using var whole = new InferenceSession(model.OnnxModel, options);
        using var input = OrtValue.CreateTensorValueFromMemory(tiles, [2, 3, Side, Side]);
        using var run = new RunOptions();
        using var expected = whole.Run(run, [whole.InputMetadata.Keys.Single()], [input], [whole.OutputMetadata.Keys.First()]);

        using var engine = InferenceEngine.Create(model, ExecutionDevice.Cpu, Side, Side, threads: 2, batch: 2, Precision.Int8);
        tiles.CopyTo(engine.Input);
        engine.Run();

        var reference = expected[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(2 * 3 * Side * 4 * Side * 4, reference.Length);
        Assert.Equal(reference, engine.Output.ToArray());
    }

    public static TheoryData<string> LookupPathsThisCpuHas()
    {
        var paths = new TheoryData<string> { "Scalar" };
        if (Avx2.IsSupported) paths.Add("Avx2");
        if (Avx512Vbmi.IsSupported) paths.Add("Vbmi");
        return paths;
    }

    [Theory]
    [MemberData(nameof(LookupPathsThisCpuHas))]
    public void A_lookup_maps_every_value_of_a_plane_through_its_channel_s_row_of_the_table(string path)
    {
        // Two rows: row 0 reverses the codes, row 1 adds 7; planes of 8·64 + 41 values: every code, whole vectors of
        // 32 and 64 and a tail of each.
        var table = Enumerable.Range(0, 256).Select(q => (byte)(255 - q)).Concat(Enumerable.Range(0, 256).Select(q => (byte)(q + 7))).ToArray();
        var lookup = new TableLookup("x", "y", table, 2);
        var x = Enumerable.Range(0, 8 * 64 + 41).Select(i => (byte)(i * 37 % 256)).ToArray();
        var y = new byte[x.Length];

        lookup.Apply(1, x, y, Enum.Parse<LookupPath>(path));
        Assert.Equal(x.Select(q => (byte)(q + 7)), y);
        lookup.Apply(0, x, y, Enum.Parse<LookupPath>(path));
        Assert.Equal(x.Select(q => (byte)(255 - q)), y);
    }

    [Fact]
    public void Every_tensor_passed_between_steps_is_let_go_after_its_last_reader_and_not_before()
    {
        var cut = CutGraph.Cut(Quantised(Tiles()).OnnxModel)!;
        IEnumerable<string> Reads(CutStep s) => s is TableLookup l ? [l.Input] : ((GraphSegment)s).Inputs;
        IEnumerable<string> Makes(CutStep s) => s is TableLookup l ? [l.Output] : ((GraphSegment)s).Outputs;
        var made = cut.Steps.SelectMany(Makes).Where(t => t != cut.Output).ToList();
        Assert.Equal(made.Count, made.Distinct().Count());
        foreach (var tensor in made)
        {
            var readers = Enumerable.Range(0, cut.Steps.Count).Where(k => Reads(cut.Steps[k]).Contains(tensor)).ToList();
            var released = Enumerable.Range(0, cut.Steps.Count).Where(k => cut.Steps[k].Release.Contains(tensor)).ToList();
            Assert.Equal([readers.Max()], released);
        }
        Assert.DoesNotContain(cut.Steps, s => s.Release.Contains(cut.Input) || s.Release.Contains(cut.Output));
    }

    /// <summary>
    /// input → c1 → PReLU p1 → c2 → PReLU p2 → c3, and c4 from p1; output c3 + c4. p1's integer values are read by
    /// c2's segment and again by c4's, after p2's lookup: they must outlive the first reader.
    /// </summary>
    [Fact]
    public void A_lookup_s_values_read_by_two_later_segments_stay_until_the_second_has_run()
    {
        var g = new OnnxGraphBuilder("two-readers");
        var x = g.Input("input", 1);
        var c1 = g.Conv(x, g.Initializer("w1", [1f, -1f], 2, 1, 1, 1), g.Initializer("b1", [-0.25f, 0.5f], 2), 1, "c1");
        var p1 = g.PRelu(c1, g.Initializer("s1", [0.5f, -0.5f], 2, 1, 1), "p1");
        var c2 = g.Conv(p1, g.Initializer("w2", [1f, 0.5f, -0.5f, 1f], 2, 2, 1, 1), null, 1, "c2");
        var p2 = g.PRelu(c2, g.Initializer("s2", [0.25f, 2f], 2, 1, 1), "p2");
        var c3 = g.Conv(p2, g.Initializer("w3", [1f, 1f], 1, 2, 1, 1), null, 1, "c3");
        var c4 = g.Conv(p1, g.Initializer("w4", [1f, -1f], 1, 2, 1, 1), null, 1, "c4");
        g.Add(c3, c4, "output");
        g.Output("output", 1);
        var ranges = new[] { "c1", "p1", "c2", "p2", "c3", "c4" }.ToDictionary(t => t, _ => new ActivationRange(-2, 2));
        ranges["input"] = new(0, 1);
        var quantised = QdqGraph.Quantize(g.ToBytes(), ranges, new HashSet<int>());

        var cut = CutGraph.Cut(quantised)!;
        var lookups = cut.Steps.OfType<TableLookup>().ToList();
        Assert.Equal(2, lookups.Count);
        var readers = cut.Steps.OfType<GraphSegment>().Where(s => s.Inputs.Contains(lookups[0].Output)).ToList();
        Assert.Equal(2, readers.Count);
        Assert.Equal([lookups[0].Output], readers[1].Release.Intersect([lookups[0].Output]));
        Assert.DoesNotContain(lookups[0].Output, readers[0].Release);

        var ramp = Enumerable.Range(0, 21).Select(i => i / 20f).ToArray();
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED };
        using var whole = new InferenceSession(quantised, options);
        using var input = OrtValue.CreateTensorValueFromMemory(ramp, [1, 1, 1, ramp.Length]);
        using var run = new RunOptions();
        using var expected = whole.Run(run, ["input"], [input], ["output"]);
        var model = new ModelDescriptor("two-readers", "test", 1, 1, 1, SizeRequirements.Any, quantised, 0, "test", NetworkFootprint.OfGraph(quantised));
        using var engine = InferenceEngine.Create(model, ExecutionDevice.Cpu, 1, ramp.Length, threads: 1, batch: 1, Precision.Int8);
        ramp.CopyTo(engine.Input);
        engine.Run();
        Assert.Equal(expected[0].GetTensorDataAsSpan<float>().ToArray(), engine.Output.ToArray());
    }

    /// <summary>input → conv(1→3) → PReLU → conv(3→3) → output + c1: the conv's float output is still read after the lookup.</summary>
    [Fact]
    public void A_graph_whose_cut_would_pass_on_a_float_tensor_is_not_cut()
    {
        var g = new OnnxGraphBuilder("residual");
        var x = g.Input("input", 1);
        var a = g.Conv(x, g.Initializer("w1", [1f, 1f, 1f], 3, 1, 1, 1), g.Initializer("b1", [-0.5f, -0.5f, -0.5f], 3), 1, "c1");
        var p = g.PRelu(a, g.Initializer("slope", [0.25f, -1.5f, 1.9f], 3, 1, 1), "p1");
        var b = g.Conv(p, g.Initializer("w2", [1f, 0, 0, 0, 1f, 0, 0, 0, 1f], 3, 3, 1, 1), null, 1, "c2");
        g.Add(b, a, "output");
        g.Output("output", 3);
        var ranges = new Dictionary<string, ActivationRange>
        {
            ["input"] = new(0, 1), ["c1"] = new(-0.5f, 0.5f), ["p1"] = new(-0.95f, 0.75f), ["c2"] = new(-0.95f, 0.75f),
        };
        var quantised = QdqGraph.Quantize(g.ToBytes(), ranges, new HashSet<int>());

        Assert.Contains(Onnx.ModelProto.Parser.ParseFrom(quantised).Graph.Node, n => n.OpType == "GatherElements");
        Assert.Null(CutGraph.Cut(quantised));
        Assert.Null(CutGraph.Cut(TestModels.GeneralX4.OnnxModel));   // no lookup: nothing to cut
    }
}
