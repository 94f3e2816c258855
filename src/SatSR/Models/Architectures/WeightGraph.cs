using System.Globalization;
using SatSR.Models.Onnx;

namespace SatSR.Models.Architectures;

/// <summary>
/// An ONNX graph being built from a state dict's tensors. Each layer checks its tensors' shapes against what the
/// architecture derived, so a mismatch is a message naming the tensor rather than an ONNX Runtime error later; and
/// <see cref="Finish"/> refuses tensors the graph never used, as torch's strict load does, so a look-alike with
/// extra layers is not silently run without them.
/// </summary>
internal sealed class WeightGraph(StateDict sd, string architecture)
{
    private const long Any = -1;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public OnnxGraphBuilder Graph { get; } = new(architecture);

    /// <summary>A "same" convolution, stride 1: <c>{layer}.weight</c> [out, in, k, k] (k odd) and <c>{layer}.bias</c> [out].</summary>
    public string Conv(string x, string layer, long inChannels, long outChannels, string? output = null)
    {
        var weight = Take($"{layer}.weight", outChannels, inChannels, Any, Any);
        var kernel = (int)weight.Shape[2];
        if (kernel != weight.Shape[3] || kernel % 2 == 0)
            throw new ModelException($"{sd.File}: tensor '{layer}.weight' has shape {weight.ShapeText}; {architecture} needs an odd square kernel");
        var w = Graph.Initializer($"{layer}.weight", weight.Data, weight.Shape);
        var b = Graph.Initializer($"{layer}.bias", Take($"{layer}.bias", outChannels).Data, outChannels);
        return Graph.Conv(x, w, b, kernel, output ?? Graph.Fresh(layer));
    }

    /// <summary>torch's PReLU with one slope per channel: <c>{key}</c> [channels].</summary>
    public string PRelu(string x, string key, long channels) =>
        Graph.PRelu(x, Graph.Initializer(key, Take(key, channels).Data, channels, 1, 1), Graph.Fresh(key));

    /// <summary>Dimension <paramref name="axis"/> of a tensor the architecture needs, for deriving hyper-parameters.</summary>
    public long Dim(string key, int axis) => Tensor(key).Shape is var s && axis < s.Length ? s[axis]
        : throw new ModelException($"{sd.File}: tensor '{key}' has shape {Tensor(key).ShapeText}; {architecture} needs at least {axis + 1} dimensions");

    /// <summary>Hyper-parameters as <see cref="ModelDescriptor.Hyperparameters"/> shows them, in the order given.</summary>
    public static IReadOnlyDictionary<string, string> Hyperparameters(params (string Name, long Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The graph's bytes, once every tensor of the state dict has been used.</summary>
    public byte[] Finish()
    {
        var unused = sd.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new ModelException($"{sd.File}: {unused.Count} tensors are not part of {architecture} as detected ({string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", …" : "")})");
        return Graph.ToBytes();
    }

    private WeightTensor Tensor(string key) => sd.TryGetValue(key, out var t) ? t
        : throw new ModelException($"{sd.File}: {architecture} needs tensor '{key}', which the file lacks");

    private WeightTensor Take(string key, params long[] shape)
    {
        var t = Tensor(key);
        if (t.Rank != shape.Length || t.Shape.Zip(shape).Any(p => p.Second != Any && p.First != p.Second))
            throw new ModelException($"{sd.File}: tensor '{key}' has shape {t.ShapeText}; {architecture} needs [{string.Join(", ", shape.Select(d => d == Any ? "?" : d.ToString()))}]");
        _used.Add(key);
        return t;
    }
}
