using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using SatSR.Geometry;
using SatSR.Pipeline.Options;
using SatSR.Raster;

namespace SatSR.Pipeline.Sharding;

/// <summary>
/// What a shard's part file says about itself, in its GDAL metadata domain <see cref="Domain"/>: which shard of
/// which job it is, where its rows go in the whole output, and how <c>satsr merge</c> is to finish that output
/// (format, overviews, creation options), so merge needs nothing but the parts.
/// </summary>
internal sealed partial record ShardPart(
    Shard Shard, string Job, RowRange Rows, int Height, OutputFormat Format, IReadOnlyList<int> Overviews,
    IReadOnlyDictionary<string, string> Streamed, IReadOnlyDictionary<string, string>? Copy)
{
    public const string Domain = "SATSR";

    /// <summary>
    /// The part file of <paramref name="shard"/> for <paramref name="outputPath"/>: <c>OUT.part-03-of-07.tif</c> beside
    /// the output or in <paramref name="partsFolder"/>; the numbers have the digits of N (two at least), so they sort.
    /// </summary>
    public static string PathFor(string outputPath, string? partsFolder, Shard shard)
    {
        var digits = Math.Max(2, shard.Count.ToString(CultureInfo.InvariantCulture).Length);
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileNameWithoutExtension(outputPath)}.part-{shard.Index.ToString(new string('0', digits), CultureInfo.InvariantCulture)}-of-{shard.Count.ToString(new string('0', digits), CultureInfo.InvariantCulture)}.tif");
        return Path.Combine(partsFolder ?? Path.GetDirectoryName(Path.GetFullPath(outputPath))!, name);
    }

    /// <summary>The shard a file name in the parts folder of <paramref name="outputPath"/> names, and whether it is a partial file; null for other files.</summary>
    public static (Shard Shard, bool Partial)? FromName(string outputPath, string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(outputPath);
        if (!fileName.StartsWith(stem + ".", StringComparison.Ordinal)) return null;
        var m = PartName().Match(fileName[(stem.Length + 1)..]);
        if (!m.Success) return null;
        int i = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), n = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return i < n ? (new Shard(i, n), m.Groups[3].Success) : null;
    }

    [GeneratedRegex(@"^part-([0-9]{2,9})-of-([0-9]{2,9})\.tif(\.partial)?$")]
    private static partial Regex PartName();

    /// <summary>
    /// The part's profile: <paramref name="whole"/>'s rows <see cref="Rows"/>, with the georeference moved down by
    /// their first row (geotransform origin, GCP lines, RPC line offset), and this record in <see cref="Domain"/>.
    /// </summary>
    public RasterProfile ProfileOf(RasterProfile whole)
    {
        var metadata = whole.Metadata.ToDictionary(kv => kv.Key, kv => kv.Key == "RPC" ? ShiftRpcLines(kv.Value, -Rows.From) : kv.Value);
        metadata[Domain] = ToMetadata();
        return whole with
        {
            Height = Rows.Height,
            Transform = whole.Transform?.ForWindow(new Window(0, Rows.From, whole.Width, Rows.Height)),
            Gcps = whole.Gcps.Select(g => g with { Line = g.Line - Rows.From }).ToList(),
            Metadata = metadata,
        };
    }

    /// <summary>The whole output's profile from part 0's (whose rows start at 0, so its georeference is the whole's).</summary>
    public RasterProfile WholeOf(RasterProfile first) => first with
    {
        Height = Height,
        Metadata = first.Metadata.Where(kv => kv.Key != Domain).ToDictionary(kv => kv.Key, kv => kv.Value),
    };

    private static IReadOnlyList<string> ShiftRpcLines(IReadOnlyList<string> rpc, int rows) => rpc.Select(line =>
        line.StartsWith("LINE_OFF=", StringComparison.Ordinal) &&
        double.TryParse(line["LINE_OFF=".Length..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? $"LINE_OFF={(v + rows).ToString("R", CultureInfo.InvariantCulture)}"
            : line).ToList();

    private List<string> ToMetadata() =>
    [
        $"SHARD={Shard}",
        $"JOB={Job}",
        FormattableString.Invariant($"ROWS={Rows.From},{Rows.To}"),
        FormattableString.Invariant($"HEIGHT={Height}"),
        $"FORMAT={Format}",
        $"OVERVIEWS={string.Join(',', Overviews)}",
        $"STREAMED={JsonSerializer.Serialize(Streamed, ItemsJson.Default.IReadOnlyDictionaryStringString)}",
        $"COPY={(Copy is null ? "" : JsonSerializer.Serialize(Copy, ItemsJson.Default.IReadOnlyDictionaryStringString))}",
    ];

    /// <summary>The record <paramref name="profile"/> carries; null when it is no SatSR part (or an unreadable one).</summary>
    public static ShardPart? Of(RasterProfile profile)
    {
        if (!profile.Metadata.TryGetValue(Domain, out var items)) return null;
        var d = items.Select(i => i.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        try
        {
            var rows = d["ROWS"].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new ShardPart(
                Shard.Parse(d["SHARD"]), d["JOB"], new RowRange(rows[0], rows[1]), int.Parse(d["HEIGHT"], CultureInfo.InvariantCulture),
                Enum.Parse<OutputFormat>(d["FORMAT"]),
                // GDAL drops items with empty values: no overviews, no COG options.
                d.GetValueOrDefault("OVERVIEWS", "") is { Length: > 0 } overviews ? overviews.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList() : [],
                JsonSerializer.Deserialize(d["STREAMED"], ItemsJson.Default.DictionaryStringString)!,
                d.GetValueOrDefault("COPY", "") is { Length: > 0 } copy ? JsonSerializer.Deserialize(copy, ItemsJson.Default.DictionaryStringString) : null);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or IndexOutOfRangeException or JsonException or ArgumentException or InvalidOptionsException)
        {
            return null;
        }
    }

    // Serialisation code made at build time: the native (AOT) CLI has no reflection-based JSON.
    [JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
    [JsonSerializable(typeof(Dictionary<string, string>))]
    private sealed partial class ItemsJson : JsonSerializerContext;
}
