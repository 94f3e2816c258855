using System.Globalization;
using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>The output dataset's profile: the input's, on a grid <c>scale</c> times finer.</summary>
internal static class OutputProfile
{
    public const int DefaultBlockSize = 512;

    private static readonly string[] RpcPixelOffsets = ["LINE_OFF", "SAMP_OFF"];
    private static readonly string[] RpcPixelScales = ["LINE_SCALE", "SAMP_SCALE"];

    /// <summary><paramref name="bands"/>: the input bands (1-based) the output has, in order; each keeps its description and colour.</summary>
    public static RasterProfile For(RasterProfile input, int scale, double? nodata, IReadOnlyList<int> bands) => input with
    {
        Width = checked(input.Width * scale),
        Height = checked(input.Height * scale),
        Transform = input.Transform?.Scaled(scale),
        Bands = bands.Select(b => input.Bands[b - 1] with { Nodata = nodata, MaskFlags = MaskFlags.Nodata }).ToList(),
        // GCP pixel/line are corner-based like the geotransform: they scale directly.
        Gcps = input.Gcps.Select(g => g with { Pixel = g.Pixel * scale, Line = g.Line * scale }).ToList(),
        Metadata = input.Metadata.ToDictionary(
            kv => kv.Key,
            kv => kv.Key == "RPC" ? ScaleRpc(kv.Value, scale) : kv.Value),
        DriverName = "GTiff",
    };

    /// <summary>SatSR's creation options overlaid with the user's (the user wins).</summary>
    public static Dictionary<string, string> CreationOptions(RasterDataType type, IReadOnlyDictionary<string, string> user)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["TILED"] = "YES",
            ["BLOCKXSIZE"] = DefaultBlockSize.ToString(CultureInfo.InvariantCulture),
            ["BLOCKYSIZE"] = DefaultBlockSize.ToString(CultureInfo.InvariantCulture),
            ["COMPRESS"] = "DEFLATE",
            ["PREDICTOR"] = type is RasterDataType.Float32 or RasterDataType.Float64 ? "3" : "2",
            // IF_NEEDED (GDAL's default) never picks BigTIFF for compressed output, so >4 GB writes fail mid-way.
            ["BIGTIFF"] = "IF_SAFER",
            ["NUM_THREADS"] = "ALL_CPUS",
            // Leave blocks unwritten until SatSR writes them (once) instead of filling them when the empty file closes.
            ["SPARSE_OK"] = "TRUE",
        };
        foreach (var (k, v) in user) options[k] = v;
        if (!options["TILED"].Equals("YES", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOptionsException("--co TILED must stay YES: SatSR writes every output block exactly once, in tiles");
        }
        return options;
    }

    /// <summary>
    /// RPC image coordinates put (0,0) at the centre of the first pixel, so on an s× finer grid
    /// <c>OFF' = (OFF + 0.5)·s − 0.5</c> and <c>SCALE' = SCALE·s</c>; ground terms and coefficients stay.
    /// </summary>
    internal static IReadOnlyList<string> ScaleRpc(IReadOnlyList<string> rpc, int scale) => rpc.Select(line =>
    {
        var eq = line.IndexOf('=');
        if (eq < 0) return line;
        var key = line[..eq];
        if (!double.TryParse(line[(eq + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return line;
        if (RpcPixelOffsets.Contains(key)) return $"{key}={((v + 0.5) * scale - 0.5).ToString("R", CultureInfo.InvariantCulture)}";
        if (RpcPixelScales.Contains(key)) return $"{key}={(v * scale).ToString("R", CultureInfo.InvariantCulture)}";
        return line;
    }).ToList();
}
