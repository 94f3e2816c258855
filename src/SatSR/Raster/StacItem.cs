using System.Text.Json;

namespace SatSR.Raster;

/// <summary>One asset of a STAC Item: its key in the item's <c>assets</c>, where it is (resolved), and whether it is a raster.</summary>
public sealed record StacAsset(string Name, Uri Href, bool IsRaster);

/// <summary>
/// A STAC Item (a GeoJSON Feature whose <c>assets</c> are a scene's files, https://github.com/radiantearth/stac-spec),
/// read from a local file or a URL. Relative asset hrefs are resolved against the item's own location.
/// </summary>
public sealed record StacItem(string Location, IReadOnlyList<StacAsset> Assets)
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient());

    // Media types of rasters GDAL reads (the STAC spec's common ones); an asset without a type is judged by its file name.
    private static readonly string[] RasterTypes = ["image/tiff", "image/vnd.stac.geotiff", "image/jp2", "application/x-hdf", "application/x-netcdf"];
    private static readonly string[] RasterExtensions = [".tif", ".tiff", ".jp2", ".vrt", ".img", ".hdf", ".nc"];

    /// <summary>True for an input named like a STAC Item (…json, a URL's query aside).</summary>
    public static bool LooksLikeItem(string input) =>
        (Uri.TryCreate(input, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsolutePath : input)
            .EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the item at <paramref name="location"/>, an http(s) URL or a local file.</summary>
    public static async Task<StacItem> LoadAsync(string location, HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        var web = Uri.TryCreate(location, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
        var baseUri = web ? url! : new Uri(Path.GetFullPath(location));
        string text;
        try
        {
            text = web
                ? await (http ?? SharedHttp.Value).GetStringAsync(url, cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(location, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOptionsException($"{location}: cannot read the STAC item ({e.Message})");
        }
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("assets", out var assets) ||
                assets.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOptionsException($"{location}: not a STAC item (no \"assets\" object)");
            }
            return new StacItem(location, assets.EnumerateObject().Select(a => Asset(location, baseUri, a)).ToList());
        }
        catch (JsonException e)
        {
            throw new InvalidOptionsException($"{location}: not a STAC item: not valid JSON ({e.Message})");
        }
    }

    private static StacAsset Asset(string location, Uri baseUri, JsonProperty asset)
    {
        if (asset.Value.ValueKind != JsonValueKind.Object || !asset.Value.TryGetProperty("href", out var href) ||
            href.ValueKind != JsonValueKind.String || !Uri.TryCreate(baseUri, href.GetString(), out var uri))
        {
            throw new InvalidOptionsException($"{location}: asset '{asset.Name}' has no usable \"href\"");
        }
        var type = asset.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var raster = type is not null
            ? RasterTypes.Any(r => type.StartsWith(r, StringComparison.OrdinalIgnoreCase))
            : RasterExtensions.Any(e => uri.AbsolutePath.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return new StacAsset(asset.Name, uri, raster);
    }

    /// <summary>
    /// The GDAL path of asset <paramref name="name"/>: /vsicurl/ for http(s), /vsis3/ for s3://, a local path for a file.
    /// Without a name (or with one the item lacks) the refusal lists the item's raster assets to choose from.
    /// </summary>
    public string GdalPath(string? name)
    {
        var rasters = string.Join(", ", Assets.Where(a => a.IsRaster).Select(a => a.Name));
        var choice = rasters.Length == 0 ? "it lists no raster asset" : $"its raster assets: {rasters}";
        if (name is null) throw new InvalidOptionsException($"{Location}: a STAC item; choose the asset to read with {OptionName.Asset} NAME ({choice})");
        var asset = Assets.FirstOrDefault(a => a.Name == name)
            ?? throw new InvalidOptionsException($"{Location}: the STAC item has no asset '{name}' ({choice})");
        return asset.Href.Scheme switch
        {
            "http" or "https" => RemoteFile.GdalPath(asset.Href.AbsoluteUri),
            "s3" => $"/vsis3/{asset.Href.Host}{Uri.UnescapeDataString(asset.Href.AbsolutePath)}",
            "file" => asset.Href.LocalPath,
            _ => throw new InvalidOptionsException($"{Location}: asset '{name}' is at {asset.Href}, a {asset.Href.Scheme}: address SatSR cannot read"),
        };
    }

    /// <summary>
    /// The GDAL path of an input as the user gave it: an http(s) URL read through /vsicurl/, a STAC item's asset
    /// (<paramref name="asset"/> given, or the input named like an item), else the path as it is.
    /// </summary>
    public static async Task<string> ResolveInputAsync(string input, string? asset, CancellationToken cancellationToken = default) =>
        asset is not null || LooksLikeItem(input)
            ? (await LoadAsync(input, cancellationToken: cancellationToken).ConfigureAwait(false)).GdalPath(asset)
            : RemoteFile.GdalPath(input);
}
