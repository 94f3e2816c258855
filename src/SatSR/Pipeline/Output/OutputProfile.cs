using System.Globalization;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>The output dataset's profile: the input's, on a finer grid of the same extent.</summary>
internal static class OutputProfile
{
    /// <summary>The metadata item (default domain) naming the model an output was made with.</summary>
    public const string ModelItem = "SATSR_MODEL=";

    /// <summary>The metadata item (default domain) giving the network's weight against bicubic (<c>--model-weight</c>).</summary>
    public const string WeightItem = "SATSR_MODEL_WEIGHT=";

    /// <summary><paramref name="profile"/> with <c>SATSR_MODEL_WEIGHT=<paramref name="weight"/></c> in its default metadata domain.</summary>
    public static RasterProfile WithWeight(RasterProfile profile, float weight)
    {
        var metadata = profile.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        metadata[""] = [.. metadata.GetValueOrDefault("", []).Where(item => !item.StartsWith(WeightItem, StringComparison.Ordinal)),
            WeightItem + weight.ToString("0.####", CultureInfo.InvariantCulture)];
        return profile with { Metadata = metadata };
    }

    /// <summary>
    /// The output of <paramref name="width"/>×<paramref name="height"/> pixels over the input's extent: the georeference
    /// is scaled by the real factors width/W across and height/H down. <paramref name="bands"/>: the input bands
    /// (1-based) the output has, in order; each keeps its description and colour. The default metadata domain
    /// gains <c>SATSR_MODEL=<paramref name="model"/></c>, so a file says which network made it.
    /// </summary>
    public static RasterProfile For(RasterProfile input, int width, int height, double? nodata, IReadOnlyList<int> bands, string model)
    {
        double fx = (double)width / input.Width, fy = (double)height / input.Height;
        var metadata = input.Metadata.ToDictionary(kv => kv.Key, kv => kv.Key == "RPC" ? ScaleRpc(kv.Value, fx, fy) : kv.Value);
        // An input SatSR made names its own model and weight: neither is this output's.
        metadata[""] = [.. metadata.GetValueOrDefault("", []).Where(item => !item.StartsWith(ModelItem, StringComparison.Ordinal) && !item.StartsWith(WeightItem, StringComparison.Ordinal)),
            ModelItem + model];
        return input with
        {
            Width = width,
            Height = height,
            Transform = input.Transform?.Scaled(fx, fy),
            Bands = bands.Select(b => input.Bands[b - 1] with { Nodata = nodata, MaskFlags = MaskFlags.Nodata }).ToList(),
            // GCP pixel/line are corner-based like the geotransform: they scale directly.
            Gcps = input.Gcps.Select(g => g with { Pixel = g.Pixel * fx, Line = g.Line * fy }).ToList(),
            Metadata = metadata,
            DriverName = "GTiff",
        };
    }

    /// <summary>
    /// RPC image coordinates put (0,0) at the centre of the first pixel, so on a grid s× finer along an axis
    /// <c>OFF' = (OFF + 0.5)·s − 0.5</c> and <c>SCALE' = SCALE·s</c>, with the column factor for SAMP_* and the row
    /// factor for LINE_*; ground terms and coefficients stay.
    /// </summary>
    internal static IReadOnlyList<string> ScaleRpc(IReadOnlyList<string> rpc, double columnFactor, double rowFactor) => rpc.Select(line =>
    {
        var eq = line.IndexOf('=');
        if (eq < 0) return line;
        var key = line[..eq];
        if (!double.TryParse(line[(eq + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return line;
        var s = key.StartsWith("SAMP_", StringComparison.Ordinal) ? columnFactor : rowFactor;
        return key switch
        {
            "LINE_OFF" or "SAMP_OFF" => $"{key}={((v + 0.5) * s - 0.5).ToString("R", CultureInfo.InvariantCulture)}",
            "LINE_SCALE" or "SAMP_SCALE" => $"{key}={(v * s).ToString("R", CultureInfo.InvariantCulture)}",
            _ => line,
        };
    }).ToList();
}
