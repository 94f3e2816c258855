using System.Globalization;

namespace SatSR.Models.Ncnn;

/// <summary>
/// Parser for the text form of an ncnn graph (<c>.param</c>):
/// <code>
/// 7767517                       magic
/// 72 73                         layer count, blob count
/// Convolution Conv_0 1 1 data 102 0=64 1=3 4=1 5=1 6=1728 -23310=1,2.0e-01
/// └ type      └ name └ in/out counts, blob names, then key=value params (array keys are -23300-key)
/// </code>
/// ncnn scans the file token by token (scanf), not line by line, so this parser does the same. It checks the
/// structure only (counts, every blob produced once before it is read); what a layer's params mean is
/// <see cref="NcnnGraph"/>'s business.
/// </summary>
internal static class NcnnParam
{
    private const string Magic = "7767517";
    private const int ArrayKeyBase = -23300;
    private const int MaxParamKey = 32;          // NCNN_MAX_PARAM_COUNT
    private const int MaxCount = 1 << 20;        // layers, blobs, array items: far above any real network
    private const long MaxFileBytes = 64L << 20;  // the largest real .param files are a few MB

    public static IReadOnlyList<NcnnLayer> Load(string path)
    {
        var file = Path.GetFileName(path);
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new ModelException($"{file}: {length} bytes is too large for an ncnn .param file");
        return Parse(File.ReadAllText(path), file);
    }

    /// <param name="file">the file name used in error messages</param>
    public static IReadOnlyList<NcnnLayer> Parse(string text, string file)
    {
        var tokens = new Tokens(text, file);
        if (tokens.Next("magic") != Magic)
            throw new ModelException($"{file}: not an ncnn text .param file (it does not start with {Magic})");
        var layerCount = tokens.Count("layer count");
        var blobCount = tokens.Count("blob count");

        var layers = new List<NcnnLayer>();
        var produced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < layerCount; i++)
        {
            var layer = ParseLayer(tokens, file);
            foreach (var input in layer.Inputs)
                if (!produced.Contains(input))
                    throw layer.Error($"reads blob '{input}' that no earlier layer produces");
            foreach (var output in layer.Outputs)
                if (!produced.Add(output))
                    throw layer.Error($"produces blob '{output}' a second time");
            layers.Add(layer);
        }

        if (tokens.HasMore)
            throw new ModelException($"{file}: text after the {layerCount} layers the header announces");
        if (produced.Count > blobCount)
            throw new ModelException($"{file}: the layers produce {produced.Count} blobs but the header announces {blobCount}");
        return layers;
    }

    private static NcnnLayer ParseLayer(Tokens tokens, string file)
    {
        var type = tokens.Next("layer type");
        var name = tokens.Next($"name of a {type} layer");
        var inputCount = tokens.Count($"input count of layer '{name}'");
        var outputCount = tokens.Count($"output count of layer '{name}'");
        var inputs = tokens.Take(inputCount, $"input blob of layer '{name}'");
        var outputs = tokens.Take(outputCount, $"output blob of layer '{name}'");

        var scalars = new Dictionary<int, string>();
        var arrays = new Dictionary<int, string[]>();
        while (tokens.PeekIsParam())
        {
            var (keyText, value) = Split(tokens.Next("param"), '=');
            if (!int.TryParse(keyText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key))
                throw new ModelException($"{file}: layer '{name}': param key '{keyText}' is not an integer");
            var isArray = key <= ArrayKeyBase;
            if (isArray) key = ArrayKeyBase - key;
            if (key is < 0 or >= MaxParamKey)
                throw new ModelException($"{file}: layer '{name}': param key {keyText} is out of range");
            if (isArray) arrays[key] = ParseArray(value, file, name, keyText);
            else scalars[key] = value;
        }

        return new NcnnLayer(type, name, inputs, outputs, scalars, arrays, file);
    }

    /// <summary><c>n,a,b,…</c> with exactly n items.</summary>
    private static string[] ParseArray(string value, string file, string layer, string key)
    {
        var parts = value.Split(',');
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > MaxCount ||
            n != parts.Length - 1)
            throw new ModelException($"{file}: layer '{layer}': array param {key}={value} does not have the count it announces");
        return parts[1..];
    }

    private static (string, string) Split(string token, char separator)
    {
        var at = token.IndexOf(separator);
        return (token[..at], token[(at + 1)..]);
    }

    /// <summary>Whitespace-separated tokens with "what was expected" errors when the text ends early.</summary>
    private sealed class Tokens(string text, string file)
    {
        private readonly string[] _items = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        private int _next;

        public bool HasMore => _next < _items.Length;

        // A param token is "key=value"; type names, layer names and blob names never contain '='.
        public bool PeekIsParam() => HasMore && _items[_next].Contains('=');

        public string Next(string what) =>
            HasMore ? _items[_next++] : throw new ModelException($"{file}: ends early, expected the {what}");

        public int Count(string what)
        {
            var token = Next(what);
            return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxCount
                ? n
                : throw new ModelException($"{file}: {what} '{token}' is not a count between 0 and {MaxCount}");
        }

        public string[] Take(int count, string what)
        {
            if (count > _items.Length - _next)
                throw new ModelException($"{file}: ends early, expected {count} of: {what}");
            var result = new string[count];
            for (var i = 0; i < count; i++) result[i] = Next(what);
            return result;
        }
    }
}
