using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Google.Protobuf;
using Onnx;

namespace SatSR.Models.Onnx;

/// <summary>
/// An int8 graph of <see cref="QdqGraph"/> cut at its table lookups: graphs that ONNX Runtime runs one after another,
/// with each lookup done between them on the uint8 values (<see cref="TableLookup.Apply"/>). ONNX Runtime has no
/// per-channel table operator, and the GatherElements that stands in for one reads every activation as an int32 index:
/// a quarter of a 512² int8 tile of realesr-general-x4v3 (docs/benchmarks/int8.md, "Lookups between sessions").
/// </summary>
public sealed class CutGraph
{
    private CutGraph(string input, string output, IReadOnlyList<CutStep> steps) => (Input, Output, Steps) = (input, output, steps);

    /// <summary>The graph's one input and its first output.</summary>
    public string Input { get; }

    public string Output { get; }

    /// <summary>Segments and lookups in the order they run.</summary>
    public IReadOnlyList<CutStep> Steps { get; }

    /// <summary>
    /// The cut graph, or null where there is nothing to cut (no lookup) or the cut would pass a tensor other than the
    /// graph's input or a lookup's uint8 values from one segment to another (its type is not known without ONNX's
    /// shape inference): such a graph runs whole.
    /// </summary>
    public static CutGraph? Cut(byte[] model)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var g = m.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name);
        if (g.Input.Count(i => !initializers.ContainsKey(i.Name)) != 1) return null;
        var producers = new Dictionary<string, NodeProto>();
        foreach (var n in g.Node) foreach (var o in n.Output) producers[o] = n;
        // The node that ends each lookup (the Reshape back to the activation's shape), and every node of its pattern.
        var lookups = new Dictionary<NodeProto, TableLookup>();
        var pattern = new HashSet<NodeProto>();
        foreach (var gather in g.Node.Where(n => n.OpType == "GatherElements"))
        {
            if (Recognise(gather, g, producers, initializers) is not { } found) return null;
            lookups[found.End] = found.Lookup;
            pattern.UnionWith(found.Nodes);
        }
        if (lookups.Count == 0) return null;

        var order = new List<object> { new List<NodeProto>() };
        foreach (var n in g.Node)
        {
            if (lookups.TryGetValue(n, out var lookup))
            {
                order.Add(lookup);
                order.Add(new List<NodeProto>());
            }
            else if (!pattern.Contains(n)) ((List<NodeProto>)order[^1]).Add(n);
        }
        var input = g.Input.Single(i => !initializers.ContainsKey(i.Name));
        var types = new Dictionary<string, int> { [input.Name] = input.Type.TensorType.ElemType };
        foreach (var o in g.Output) types[o.Name] = o.Type.TensorType.ElemType;
        foreach (var l in lookups.Values) types[l.Input] = types[l.Output] = (int)TensorProto.Types.DataType.Uint8;

        // What each step reads from the steps before it: a segment's inputs other than its weights and its own tensors.
        string[] Reads(object step)
        {
            if (step is TableLookup l) return [l.Input];
            var nodes = (List<NodeProto>)step;
            var made = nodes.SelectMany(n => n.Output).ToHashSet();
            return [.. nodes.SelectMany(n => n.Input).Where(t => t != "" && !made.Contains(t) && !initializers.ContainsKey(t)).Distinct()];
        }
        var reads = order.Select(Reads).ToList();
        var outputs = g.Output.Select(o => o.Name).ToHashSet();
        var lastRead = new Dictionary<string, int>();
        for (var k = 0; k < order.Count; k++) foreach (var t in reads[k]) lastRead[t] = k;
        var steps = new List<CutStep>();
        for (var k = 0; k < order.Count; k++)
        {
            // A tensor no later step reads and no one asked for is let go after the step that read it last.
            var release = reads[k].Where(t => lastRead[t] == k && t != input.Name && !outputs.Contains(t)).ToArray();
            if (order[k] is TableLookup lookup)
            {
                steps.Add(lookup with { Release = release });
                continue;
            }
            var nodes = (List<NodeProto>)order[k];
            if (nodes.Count == 0) continue;
            var outs = nodes.SelectMany(n => n.Output).Where(t => outputs.Contains(t) || lastRead.GetValueOrDefault(t, -1) > k).ToArray();
            if (reads[k].Concat(outs).Any(t => !types.ContainsKey(t))) return null;
            var segment = new ModelProto { IrVersion = m.IrVersion, ProducerName = m.ProducerName, Graph = new GraphProto { Name = $"{g.Name}.{k}" } };
            segment.OpsetImport.AddRange(m.OpsetImport);
            segment.Graph.Node.AddRange(nodes);
            var used = nodes.SelectMany(n => n.Input).ToHashSet();
            segment.Graph.Initializer.AddRange(g.Initializer.Where(t => used.Contains(t.Name)));
            // The graph's input keeps its declared shape: the engine reads its channels and free dimensions off it.
            segment.Graph.Input.AddRange(reads[k].Select(t => t == input.Name ? input.Clone() : OnnxTensors.Value(t, types[t])));
            segment.Graph.Output.AddRange(outs.Select(t => OnnxTensors.Value(t, types[t])));
            steps.Add(new GraphSegment(segment.ToByteArray(), reads[k], outs) { Release = release });
        }
        return new CutGraph(input.Name, g.Output[0].Name, steps);
    }

    /// <summary>
    /// QdqGraph's lookup: GatherElements(Expand(table), Cast(Reshape(x))) → Reshape(·, Shape(x)); the nodes between x
    /// and the end, and the table as its [channels, 256] bytes.
    /// </summary>
    private static (NodeProto End, TableLookup Lookup, HashSet<NodeProto> Nodes)? Recognise(NodeProto gather, GraphProto g,
        Dictionary<string, NodeProto> producers, Dictionary<string, TensorProto> initializers)
    {
        if (!producers.TryGetValue(gather.Input[0], out var expand) || expand.OpType != "Expand"
            || !initializers.TryGetValue(expand.Input[0], out var table) || table.DataType != (int)TensorProto.Types.DataType.Uint8
            || table.Dims.Count != 3 || table.Dims[2] != 256 || table.RawData.Length != table.Dims[1] * 256
            || !producers.TryGetValue(gather.Input[1], out var cast) || cast.OpType != "Cast"
            || !producers.TryGetValue(cast.Input[0], out var flat) || flat.OpType != "Reshape")
        {
            return null;
        }
        var x = flat.Input[0];
        var ends = g.Node.Where(n => n.Input.Contains(gather.Output[0])).ToList();
        if (ends is not [{ OpType: "Reshape" } end]) return null;
        var nodes = new HashSet<NodeProto>();
        void Walk(NodeProto n)
        {
            if (!nodes.Add(n)) return;
            foreach (var i in n.Input.Where(i => i != x && !initializers.ContainsKey(i))) if (producers.TryGetValue(i, out var p)) Walk(p);
        }
        Walk(end);
        // Every node of the pattern only serves the lookup: one read elsewhere (a Shape of x) would be cut away under it.
        var inside = nodes.SelectMany(n => n.Output).ToHashSet();
        if (g.Node.Any(n => !nodes.Contains(n) && n.Input.Any(i => inside.Contains(i) && i != end.Output[0]))) return null;
        return (end, new TableLookup(x, end.Output[0], table.RawData.ToByteArray(), (int)table.Dims[1]), nodes);
    }
}

/// <summary>One step of a <see cref="CutGraph"/>; <see cref="Release"/>: the tensors no later step reads.</summary>
public abstract record CutStep
{
    public IReadOnlyList<string> Release { get; init; } = [];
}

/// <summary>A graph of its own, reading <see cref="Inputs"/> and making <see cref="Outputs"/> for the steps after it.</summary>
public sealed record GraphSegment(byte[] Model, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs) : CutStep;

/// <summary>
/// Maps the uint8 tensor <see cref="Input"/> (N×C×H×W) to <see cref="Output"/> through a table of 256 bytes per
/// channel: <see cref="Channels"/> rows of <see cref="Table"/>, row c for every plane of channel c.
/// </summary>
public sealed record TableLookup(string Input, string Output, byte[] Table, int Channels) : CutStep
{
    /// <summary>Maps one plane (all H×W values of one image's channel <paramref name="channel"/>), on the widest instructions the CPU has.</summary>
    public void Apply(int channel, ReadOnlySpan<byte> x, Span<byte> y) => Apply(channel, x, y, LookupPaths.Widest);

    /// <summary>Maps one plane on <paramref name="path"/>, which the CPU must have (tests check each path the CPU has).</summary>
    internal void Apply(int channel, ReadOnlySpan<byte> x, Span<byte> y, LookupPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(y.Length, x.Length, nameof(y));
        var table = Table.AsSpan(channel * 256, 256);
        var i = 0;
        // 64 values per step: two 128-byte table halves, picked by each value's top bit.
        if (path == LookupPath.Vbmi)
        {
            Vector512<byte> t0 = Vector512.Create(table[..64]), t1 = Vector512.Create(table[64..128]),
                t2 = Vector512.Create(table[128..192]), t3 = Vector512.Create(table[192..]), top = Vector512.Create((byte)128);
            for (; i <= x.Length - 64; i += 64)
            {
                var v = Vector512.Create(x.Slice(i, 64));
                var low = Avx512Vbmi.PermuteVar64x8x2(t0, v, t1);
                var high = Avx512Vbmi.PermuteVar64x8x2(t2, v, t3);
                Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, top), high, low).CopyTo(y.Slice(i, 64));
            }
        }
        // 64 values per step for the native CLI, built for AVX2, whose byte shuffle looks up 16 entries: the table as 16
        // rows of 16, each value looked up in row r as (value − 16r) saturated up by 0x70, which keeps the low nibble
        // where the value is in row r and sets the top bit, giving 0, everywhere else.
        if (path == LookupPath.Avx2)
        {
            Span<Vector256<byte>> rows = stackalloc Vector256<byte>[16];
            for (var r = 0; r < 16; r++) rows[r] = Vector256.Create(Vector128.Create(table.Slice(16 * r, 16)));
            Vector256<byte> lift = Vector256.Create((byte)0x70), step = Vector256.Create((byte)16);
            for (; i <= x.Length - 64; i += 64)
            {
                Vector256<byte> w0 = Vector256.Create(x.Slice(i, 32)), w1 = Vector256.Create(x.Slice(i + 32, 32));
                Vector256<byte> y0 = Vector256<byte>.Zero, y1 = Vector256<byte>.Zero;
                for (var r = 0; r < 16; r++)
                {
                    var row = rows[r];
                    y0 |= Avx2.Shuffle(row, Avx2.AddSaturate(w0, lift));
                    y1 |= Avx2.Shuffle(row, Avx2.AddSaturate(w1, lift));
                    w0 -= step;
                    w1 -= step;
                }
                y0.CopyTo(y.Slice(i, 32));
                y1.CopyTo(y.Slice(i + 32, 32));
            }
        }
        for (; i < x.Length; i++) y[i] = table[x[i]];
    }
}

/// <summary>The instructions a <see cref="TableLookup"/> runs on.</summary>
internal enum LookupPath
{
    Scalar,
    Avx2,
    Vbmi,
}

internal static class LookupPaths
{
    /// <summary>The widest path this CPU (in the native CLI: its build's instruction set) has.</summary>
    public static LookupPath Widest => Avx512Vbmi.IsSupported ? LookupPath.Vbmi : Avx2.IsSupported ? LookupPath.Avx2 : LookupPath.Scalar;
}
