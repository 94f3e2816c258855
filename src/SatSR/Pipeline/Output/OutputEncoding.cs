using System.Globalization;
using SatSR.Pipeline.Options;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>
/// How the output is encoded. <see cref="Streamed"/>: the GTiff creation options of the file the pipeline writes
/// block by block. When the output is made as a copy of it (a COG; a GeoTIFF with an option GDAL applies only when it
/// creates a file, <see cref="CreateOnly"/>), <see cref="Copy"/>: <see cref="Driver"/>'s options for that one copy (the
/// streamed file is then lossless, and only the copy compresses). <see cref="Compression"/>: the output's codec.
/// </summary>
internal sealed record OutputEncoding(
    IReadOnlyDictionary<string, string> Streamed, IReadOnlyDictionary<string, string>? Copy, string Compression, string Driver)
{
    public const int DefaultBlockSize = 512;

    /// <summary>Codecs that lose values: a nodata value would not survive them.</summary>
    private static readonly string[] Lossy = ["JPEG", "WEBP"];

    /// <summary>
    /// GTiff options that GDAL 3.6 keeps only while the file it creates is open: the file does not record them, and a
    /// file opened for update (how the pipeline writes, so that a killed run resumes) compresses with the codec's
    /// defaults. Checked through the pipeline on GDAL 3.6: ZLEVEL 1 and 9, ZSTD_LEVEL 1 and 22, LZMA_PRESET 0 and 9 gave
    /// the same bytes, LERC's MAX_Z_ERROR=8 and DISCARD_LSB=4 came back exact. (JPEG_QUALITY and the WEBP options did
    /// reach the file.) A GeoTIFF asked for with one of them is written as a copy, like a COG.
    /// </summary>
    private static readonly string[] CreateOnly = ["ZLEVEL", "ZSTD_LEVEL", "LZMA_PRESET", "MAX_Z_ERROR", "DISCARD_LSB"];

    /// <summary>Codecs that take a predictor; SatSR's default predictor is left out for the others.</summary>
    private static readonly string[] Predicted = ["DEFLATE", "LZW", "ZSTD", "LZMA", "LERC_DEFLATE", "LERC_ZSTD"];

    /// <summary>
    /// Validity goes into an internal mask band instead of a nodata value: lossy codecs change the values along
    /// nodata's edge, so a nodata value would no longer mark it. LERC with an error bound is lossy too, and moves valid
    /// values within the bound of nodata onto it (GDAL 3.6 does, CreateOnlyOptionsTests); DISCARD_LSB keeps clear of
    /// nodata by itself.
    /// </summary>
    public bool Mask => Lossy.Contains(Compression) || (Compression.StartsWith("LERC", StringComparison.Ordinal) && ErrorBound > 0);

    /// <summary>LERC's MAX_Z_ERROR as the output is written (0: lossless, GDAL's default).</summary>
    private double ErrorBound =>
        (Copy ?? Streamed).TryGetValue("MAX_Z_ERROR", out var bound) && double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) ? e : 0;

    public int BlockWidth => BlockSize(Streamed, "BLOCKXSIZE");
    public int BlockHeight => BlockSize(Streamed, "BLOCKYSIZE");

    /// <summary>The GDAL driver that writes an output of <paramref name="format"/>.</summary>
    public static string DriverOf(OutputFormat format) => format == OutputFormat.Cog ? "COG" : "GTiff";

    /// <summary>True when an output of <paramref name="format"/> with <paramref name="user"/>'s options is made by a copy after the pipeline's pass.</summary>
    public static bool Copied(OutputFormat format, IReadOnlyDictionary<string, string> user) => format == OutputFormat.Cog || user.Keys.Any(IsCreateOnly);

    /// <summary>True for a GTiff option GDAL 3.6 applies only while it creates the file (<see cref="CreateOnly"/>).</summary>
    public static bool IsCreateOnly(string option) => CreateOnly.Contains(option, StringComparer.OrdinalIgnoreCase);

    /// <summary>SatSR's lossless GTiff options with the streamed file's blocks: for files that are read again, never kept.</summary>
    public IReadOnlyDictionary<string, string> Intermediate(RasterDataType type) =>
        GTiffDefaults(type, BlockWidth, BlockHeight, "DEFLATE");

    /// <summary>
    /// SatSR's defaults (tiled 512², DEFLATE with a predictor, BIGTIFF=IF_SAFER) overlaid with the user's
    /// <c>--co</c> (the user wins), for <paramref name="format"/>'s driver: GTiff's options for a GeoTIFF, the COG
    /// driver's for a COG, where TILED and BLOCKXSIZE/BLOCKYSIZE map to COG's BLOCKSIZE. GDAL checks the names and
    /// values; lossy codecs need 8-bit data (and see <see cref="CheckBandCount"/>).
    /// </summary>
    public static OutputEncoding For(OutputFormat format, RasterDataType type, IReadOnlyDictionary<string, string> user)
    {
        var options = new Dictionary<string, string>(user, StringComparer.OrdinalIgnoreCase);
        if (options.TryGetValue("TILED", out var tiled) && !tiled.Equals("YES", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOptionsException($"{OptionName.CreationOptions} TILED must stay YES: SatSR writes every output block exactly once, in tiles");
        }
        var encoding = format == OutputFormat.GTiff ? ForGTiff(type, options) : ForCog(type, options);
        if (Lossy.Contains(encoding.Compression) && type != RasterDataType.Byte)
        {
            throw new InvalidOptionsException($"{OptionName.CreationOptions} COMPRESS={encoding.Compression} needs 8-bit data and this output is {type}; use DEFLATE, ZSTD or LERC");
        }
        return encoding;
    }

    /// <summary>Refuses a lossy codec for a band count it cannot hold (JPEG takes 1–4 bands, WEBP 3–4).</summary>
    public void CheckBandCount(int bandCount)
    {
        if (!Lossy.Contains(Compression)) return;
        var (fewest, most) = Compression == "JPEG" ? (1, 4) : (3, 4);
        if (bandCount < fewest || bandCount > most)
        {
            throw new InvalidOptionsException($"{OptionName.CreationOptions} COMPRESS={Compression} takes {fewest}–{most} bands and this output has {bandCount}; choose the bands with {OptionName.Bands} or use DEFLATE");
        }
    }

    private static OutputEncoding ForGTiff(RasterDataType type, Dictionary<string, string> user)
    {
        var compress = user.GetValueOrDefault("COMPRESS", "DEFLATE");
        var options = GTiffDefaults(type, DefaultBlockSize, DefaultBlockSize, compress);
        foreach (var (k, v) in user) options[k] = v;
        Check("GTiff", options);
        if (!Copied(OutputFormat.GTiff, user)) return new OutputEncoding(options, null, compress.ToUpperInvariant(), DriverOf(OutputFormat.GTiff));
        // The copy takes the streamed file's overviews as they are, not computed again.
        options["COPY_SRC_OVERVIEWS"] = "YES";
        return new OutputEncoding(GTiffDefaults(type, BlockSize(options, "BLOCKXSIZE"), BlockSize(options, "BLOCKYSIZE"), "DEFLATE"), options,
            compress.ToUpperInvariant(), DriverOf(OutputFormat.GTiff));
    }

    private static OutputEncoding ForCog(RasterDataType type, Dictionary<string, string> user)
    {
        if (user.ContainsKey("OVERVIEWS")) throw new InvalidOptionsException($"{OptionName.CreationOptions} OVERVIEWS: give the overviews with {OptionName.Overviews} auto|none|2,4,…");
        // COG tiles are square and always pixel-interleaved in GDAL 3.6: GTiff's spellings map onto that or are refused.
        user.Remove("TILED");
        if (user.Remove("INTERLEAVE", out var interleave) && !interleave.Equals("PIXEL", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOptionsException($"{OptionName.CreationOptions} INTERLEAVE={interleave}: GDAL 3.6's COG driver writes pixel-interleaved tiles only");
        }
        user.Remove("BLOCKXSIZE", out var bx);
        user.Remove("BLOCKYSIZE", out var by);
        if (bx is not null && by is not null && bx != by)
        {
            throw new InvalidOptionsException($"{OptionName.CreationOptions} BLOCKXSIZE={bx} BLOCKYSIZE={by}: COG tiles are square; give {OptionName.CreationOptions} BLOCKSIZE=N");
        }
        if ((bx ?? by) is { } side && !user.ContainsKey("BLOCKSIZE")) user["BLOCKSIZE"] = side;

        var compress = user.GetValueOrDefault("COMPRESS", "DEFLATE");
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["BLOCKSIZE"] = DefaultBlockSize.ToString(CultureInfo.InvariantCulture),
            ["COMPRESS"] = "DEFLATE",
            ["BIGTIFF"] = "IF_SAFER",
            ["NUM_THREADS"] = "ALL_CPUS",
        };
        if (Predicted.Contains(compress, StringComparer.OrdinalIgnoreCase)) copy["PREDICTOR"] = "YES";
        foreach (var (k, v) in user) copy[k] = v;
        // The streamed file's overviews are copied, not computed again from the full resolution.
        copy["OVERVIEWS"] = "FORCE_USE_EXISTING";
        Check("COG", copy);
        var block = BlockSize(copy, "BLOCKSIZE");
        return new OutputEncoding(GTiffDefaults(type, block, block, "DEFLATE"), copy, compress.ToUpperInvariant(), DriverOf(OutputFormat.Cog));
    }

    private static Dictionary<string, string> GTiffDefaults(RasterDataType type, int blockWidth, int blockHeight, string compress)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["TILED"] = "YES",
            ["BLOCKXSIZE"] = blockWidth.ToString(CultureInfo.InvariantCulture),
            ["BLOCKYSIZE"] = blockHeight.ToString(CultureInfo.InvariantCulture),
            ["COMPRESS"] = "DEFLATE",
            // IF_NEEDED (GDAL's default) never picks BigTIFF for compressed output, so >4 GB writes fail mid-way.
            ["BIGTIFF"] = "IF_SAFER",
            ["NUM_THREADS"] = "ALL_CPUS",
            // Leave blocks unwritten until SatSR writes them (once) instead of filling them when the empty file closes.
            ["SPARSE_OK"] = "TRUE",
        };
        if (Predicted.Contains(compress, StringComparer.OrdinalIgnoreCase))
        {
            options["PREDICTOR"] = type is RasterDataType.Float32 or RasterDataType.Float64 ? "3" : "2";
        }
        return options;
    }

    private static void Check(string driver, IReadOnlyDictionary<string, string> options)
    {
        if (Gdal.CreationOptionsProblem(driver, options) is { } problem) throw new InvalidOptionsException($"{OptionName.CreationOptions}: {problem}");
    }

    private static int BlockSize(IReadOnlyDictionary<string, string> options, string key) =>
        int.TryParse(options[key], out var b) && b > 0 && b % 16 == 0
            ? b
            : throw new InvalidOptionsException($"{OptionName.CreationOptions} {key}={options[key]}: must be a positive multiple of 16");
}
