using System.Diagnostics.CodeAnalysis;

namespace SatSR.Models;

/// <summary>
/// Named weight tensors, as a container reader (.pth) produces them and the architecture registry detects and
/// builds from them. Names are in the file's order where the file keeps one. <see cref="File"/> is the file name that
/// every error about these tensors starts with.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, WeightTensor>
{
    private readonly Dictionary<string, WeightTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    public StateDict(string file, IEnumerable<KeyValuePair<string, WeightTensor>> tensors)
    {
        File = file;
        foreach (var (name, tensor) in tensors)
        {
            if (!_tensors.TryAdd(name, tensor)) throw new ModelException($"{file}: holds two tensors named '{name}'");
            _names.Add(name);
        }
    }

    public string File { get; }

    /// <summary>The number of weight values in all tensors.</summary>
    public long ParameterCount => _tensors.Values.Sum(t => (long)t.Data.Length);

    public WeightTensor this[string key] => _tensors.TryGetValue(key, out var t) ? t : throw new ModelException($"{File}: has no tensor '{key}'");
    public IEnumerable<string> Keys => _names;
    public IEnumerable<WeightTensor> Values => _names.Select(n => _tensors[n]);
    public int Count => _names.Count;
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out WeightTensor value) => _tensors.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, WeightTensor>> GetEnumerator() => _names.Select(n => KeyValuePair.Create(n, _tensors[n])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
