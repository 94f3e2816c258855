using System.Globalization;

namespace SatSR.Models.Ncnn;

/// <summary>
/// One line of an ncnn <c>.param</c> file: <c>Type Name nIn nOut in… out… k=v…</c>. Values stay text until a
/// layer asks for them, because ncnn itself decides int or float only by how the consumer reads a key.
/// Array values (<c>-23300-k=n,a,b…</c>) are stored under their plain key k.
/// </summary>
internal sealed record NcnnLayer(
    string Type,
    string Name,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<int, string> Scalars,
    IReadOnlyDictionary<int, string[]> Arrays,
    string File)
{
    public int Int(int key, int fallback)
    {
        if (!Scalars.TryGetValue(key, out var text)) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"param {key}={text} must be an integer");
    }

    public float Float(int key, float fallback) =>
        Scalars.TryGetValue(key, out var text) ? ParseFloat(key, text) : fallback;

    /// <summary>The array under <paramref name="key"/>, empty when the layer has none.</summary>
    public float[] Floats(int key) =>
        Arrays.TryGetValue(key, out var items) ? Array.ConvertAll(items, item => ParseFloat(key, item)) : [];

    /// <summary>An exception that names the file and this layer, for everything a layer can get wrong.</summary>
    public ModelException Error(string problem) => new($"{File}: layer '{Name}' ({Type}): {problem}");

    private float ParseFloat(int key, string text) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw Error($"param {key} value '{text}' is not a finite number");
}
