using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using SatSR.Geometry;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Viewer;

/// <summary>What <see cref="ComparePage.Write"/> shows: an input and its super-resolved output, side by side under a swipe.</summary>
public sealed record CompareOptions
{
    /// <summary>Output pixels a page embeds at most (two images of this size go into one HTML file).</summary>
    public const long DefaultMaxPixels = 16_000_000;

    public required string BeforePath { get; init; }
    public required string AfterPath { get; init; }
    public required string PagePath { get; init; }

    /// <summary>Pixels of AFTER to show; null means all of it.</summary>
    public Window? Region { get; init; }

    /// <summary>Bands (1-based, in both files) shown: one as grey or three as red, green, blue; empty: the first three non-alpha bands, or the first.</summary>
    public IReadOnlyList<int> Bands { get; init; } = [];

    public bool Overwrite { get; init; }
    public long MaxPixels { get; init; } = DefaultMaxPixels;
}

/// <summary>The page written, the region of AFTER it shows and the stretch of each band shown.</summary>
public sealed record ComparePageResult(string PagePath, Window Region, IReadOnlyList<int> Bands, IReadOnlyList<DisplayStretch> Stretches, long Bytes);

/// <summary>
/// One self-contained HTML file (no network: images as data URIs, script and style inline) that compares BEFORE with
/// AFTER under a swipe line, zoom and pan moving both together, with the map coordinates under the mouse. BEFORE is
/// shown nearest-neighbour on AFTER's pixel grid: each AFTER pixel takes the BEFORE pixel under its centre, found
/// through the two geotransforms (or, when neither file has one, by assuming they cover the same extent). Both
/// images get the same display stretch, AFTER's; nodata is transparent.
/// </summary>
public static partial class ComparePage
{
    public static ComparePageResult Write(CompareOptions options)
    {
        var page = Path.GetFullPath(options.PagePath);
        if (Directory.Exists(page)) throw new InvalidOptionsException($"{options.PagePath}: is a folder; give a file name for the page");
        if (File.Exists(page) && !options.Overwrite) throw new InvalidOptionsException($"{options.PagePath}: already exists; pass {OptionName.Overwrite} to replace it");
        if (!Directory.Exists(Path.GetDirectoryName(page))) throw new InvalidOptionsException($"{options.PagePath}: folder {Path.GetDirectoryName(page)} does not exist");

        using var before = RasterDataset.Open(options.BeforePath);
        using var after = RasterDataset.Open(options.AfterPath);
        var region = Region(options, after.Profile);
        var bands = Bands(options, before.Profile, after.Profile);
        var place = Placement(options, before.Profile, after.Profile);

        var afterImage = View.Read(after, region);
        var stretches = bands.Select(b => DisplayStretch.For(after.Profile.DataType, afterImage.Band(b), afterImage.Valid)).ToArray();

        // BEFORE pixel under each AFTER pixel centre (−1 outside BEFORE), and the window of BEFORE they fall in.
        var (columns, rows) = (new int[region.Width * region.Height], new int[region.Width * region.Height]);
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (var y = 0; y < region.Height; y++)
        {
            for (var x = 0; x < region.Width; x++)
            {
                var (u, v) = place(region.Column + x + 0.5, region.Row + y + 0.5);
                int c = (int)Math.Floor(u), r = (int)Math.Floor(v), i = y * region.Width + x;
                if (c < 0 || r < 0 || c >= before.Profile.Width || r >= before.Profile.Height)
                {
                    (columns[i], rows[i]) = (-1, -1);
                    continue;
                }
                (columns[i], rows[i]) = (c, r);
                (left, top, right, bottom) = (Math.Min(left, c), Math.Min(top, r), Math.Max(right, c + 1), Math.Max(bottom, r + 1));
            }
        }
        if (right < 0) throw new InvalidOptionsException($"{options.BeforePath}: does not overlap the region {region} of {options.AfterPath}");
        var beforeWindow = Window.FromEdges(left, top, right, bottom);
        var beforeImage = View.Read(before, beforeWindow);

        var channels = bands.Length == 1 ? 2 : 4;
        var afterPixels = new byte[region.Width * region.Height * channels];
        var beforePixels = new byte[afterPixels.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            afterImage.Paint(i, bands, stretches, afterPixels.AsSpan(i * channels, channels));
            if (columns[i] < 0) continue;
            var j = (rows[i] - beforeWindow.Row) * beforeWindow.Width + columns[i] - beforeWindow.Column;
            beforeImage.Paint(j, bands, stretches, beforePixels.AsSpan(i * channels, channels));
        }

        var html = Html(options, after.Profile, region, bands, stretches,
            Png.Encode(beforePixels, region.Width, region.Height, channels), Png.Encode(afterPixels, region.Width, region.Height, channels));
        var partial = page + ".partial";
        try
        {
            File.WriteAllText(partial, html);
            File.Move(partial, page, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        return new ComparePageResult(page, region, bands, stretches, new FileInfo(page).Length);
    }

    private static Window Region(CompareOptions options, RasterProfile after)
    {
        var bounds = new Window(0, 0, after.Width, after.Height);
        var region = options.Region ?? bounds;
        if (!bounds.Contains(region) || region.IsEmpty)
        {
            throw new InvalidOptionsException(
                $"{options.AfterPath}: {OptionName.Region} {region.Column},{region.Row},{region.Width},{region.Height} lies outside the {after.Width}×{after.Height} image", region);
        }
        if (region.Area > options.MaxPixels)
        {
            throw new InvalidOptionsException(
                $"{options.AfterPath}: {region.Width}×{region.Height} pixels ({region.Area / 1e6:F1} MP) is more than the {options.MaxPixels / 1e6:0.#} MP a page embeds; choose a part with {OptionName.Region} x,y,w,h", region);
        }
        return region;
    }

    private static int[] Bands(CompareOptions options, RasterProfile before, RasterProfile after)
    {
        if (options.Bands.Count > 0)
        {
            if (options.Bands.Count is not (1 or 3)) throw new InvalidOptionsException($"{OptionName.Bands} {string.Join(',', options.Bands)}: give one band (grey) or three (red, green, blue)", options.Bands);
            foreach (var b in options.Bands)
            {
                var (path, count) = b > after.BandCount ? (options.AfterPath, after.BandCount) : (options.BeforePath, before.BandCount);
                if (b < 1 || b > count) throw new InvalidOptionsException($"{OptionName.Bands} {b}: {path} has {count} band(s)", b);
            }
            return [.. options.Bands];
        }
        var colour = Enumerable.Range(1, after.BandCount).Where(b => after.Bands[b - 1].ColorInterpretation != ColorInterpretation.Alpha && b <= before.BandCount).ToArray();
        if (colour.Length == 0) throw new InvalidOptionsException($"{options.AfterPath}: has no band that {options.BeforePath} also has, other than alpha");
        return colour.Length >= 3 ? colour[..3] : colour[..1];
    }

    /// <summary>AFTER pixel coordinates → BEFORE pixel coordinates (both corner-based).</summary>
    private static Func<double, double, (double, double)> Placement(CompareOptions options, RasterProfile before, RasterProfile after)
    {
        switch (before.Transform, after.Transform)
        {
            case ({ } b, { } a):
                if (b.IsSingular) throw new InvalidOptionsException($"{options.BeforePath}: its geotransform is singular");
                return (x, y) =>
                {
                    var (mx, my) = a.Apply(x, y);
                    return b.ToPixel(mx, my);
                };
            case (null, null):
                return (x, y) => (x * before.Width / after.Width, y * before.Height / after.Height);
            default:
                var (with, without) = before.Transform is null ? (options.AfterPath, options.BeforePath) : (options.BeforePath, options.AfterPath);
                throw new InvalidOptionsException($"{without}: has no georeference but {with} has; cannot place one on the other");
        }
    }

    private static string Html(CompareOptions options, RasterProfile after, Window region, int[] bands, DisplayStretch[] stretches, byte[] beforePng, byte[] afterPng)
    {
        var shown = bands.Length == 1 ? $"band {bands[0]}" : $"bands {string.Join(',', bands)} as RGB";
        var stretch = after.DataType == RasterDataType.Byte
            ? $"{shown}, 8-bit as stored"
            : $"{shown}, stretched {DisplayStretch.LowPercent:0}–{DisplayStretch.HighPercent:0} %: " +
              string.Join("; ", stretches.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Low:G6}–{s.High:G6}")));
        var config = JsonSerializer.Serialize(new PageConfig(region.Width, region.Height, region.Column, region.Row, after.Transform?.ToArray(),
            after.CrsName, $"before: {Path.GetFileName(options.BeforePath)} (nearest)", $"after: {Path.GetFileName(options.AfterPath)}", stretch),
            Json.PageConfig);
        return Template.Value
            .Replace("{{CONFIG}}", config, StringComparison.Ordinal)
            .Replace("{{BEFORE}}", "data:image/png;base64," + Convert.ToBase64String(beforePng), StringComparison.Ordinal)
            .Replace("{{AFTER}}", "data:image/png;base64," + Convert.ToBase64String(afterPng), StringComparison.Ordinal);
    }

    /// <summary>What the page's script reads.</summary>
    internal sealed record PageConfig(int Width, int Height, int Column, int Row, double[]? Transform, string? Crs, string BeforeLabel,
        string AfterLabel, string Stretch);

    // Serialisation code made at build time (the native CLI has no reflection-based JSON). Readable non-ASCII text (file
    // names, dashes) is written as it is, while '<', '>' and '&' stay escaped, so no value can close the script.
    [JsonSerializable(typeof(PageConfig))]
    internal sealed partial class PageJson : JsonSerializerContext;

    private static readonly PageJson Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("SatSR.Viewer.compare.html")
            ?? throw new InvalidOperationException("the compare page template is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>A window of a raster read for display: every band's values and the pixels' validity.</summary>
    private sealed class View(double[] values, byte[] valid, int pixels)
    {
        public byte[] Valid => valid;

        public static View Read(RasterDataset dataset, Window window)
        {
            var n = window.Width * window.Height;
            var values = new double[dataset.Profile.BandCount * n];
            dataset.Read<double>(window, Enumerable.Range(1, dataset.Profile.BandCount).ToArray(), values);
            var valid = new byte[n];
            Validity.For(dataset, NodataMode.FromFile, 0).Evaluate(window, values, valid);
            return new View(values, valid, n);
        }

        public ReadOnlySpan<double> Band(int band) => values.AsSpan((band - 1) * pixels, pixels);

        /// <summary>Pixel <paramref name="i"/> as grey+alpha or RGBA; nodata is transparent.</summary>
        public void Paint(int i, int[] bands, DisplayStretch[] stretches, Span<byte> pixel)
        {
            if (valid[i] == 0) return;
            for (var k = 0; k < bands.Length; k++) pixel[k] = stretches[k].ToByte(values[(bands[k] - 1) * pixels + i]);
            pixel[^1] = 255;
        }
    }
}
