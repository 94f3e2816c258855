using System.Diagnostics;
using System.Globalization;
using System.Security;
using System.Text;
using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Raster;

namespace SatSR.Pipeline.Sharding;

/// <summary>What <c>satsr merge</c> assembles: the parts of <see cref="OutputPath"/> found in <see cref="PartsFolder"/> (default: beside it).</summary>
public sealed record MergeOptions
{
    public required string OutputPath { get; init; }
    public string? PartsFolder { get; init; }

    /// <summary>Write a VRT over the parts (instant; the parts must stay where they are) instead of copying their pixels.</summary>
    public bool Vrt { get; init; }

    public bool Overwrite { get; init; }
}

/// <summary>What a merge wrote: the file, its size, how many parts, and the time the pixel copy took.</summary>
public sealed record MergeResult(string OutputPath, int Width, int Height, int Parts, TimeSpan CopyTime, TimeSpan Elapsed);

/// <summary>
/// Assembles the parts that <c>satsr upscale --shard i/N</c> wrote into the output an unsplit run writes: checks that
/// all N are there, committed and of one job, then copies their pixels block row by block row (never inferring),
/// building the overviews from them as they go, and, for a COG job (or a GeoTIFF with options only a copy applies), makes the copy; atomic like every output. Nothing is written when a
/// part is missing, incomplete or foreign.
/// </summary>
public static class PartMerge
{
    public static MergeResult Run(MergeOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var folder = options.PartsFolder ?? Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!;
        if (!Directory.Exists(folder)) throw new InvalidOptionsException($"{options.OutputPath}: the parts folder {folder} does not exist");
        var parts = Find(options.OutputPath, folder);
        var first = parts[0].Part;
        var whole = first.WholeOf(parts[0].Profile);
        var vrtPath = options.Vrt ? Path.ChangeExtension(options.OutputPath, ".vrt") : null;
        if (options.Vrt && first.Format == OutputFormat.Cog) throw new InvalidOptionsException($"{options.OutputPath}: the parts are of a COG job; a VRT over them is no COG (merge without {OptionName.Vrt})", options.Vrt);
        if (options.Vrt && first.Copy is not null) throw new InvalidOptionsException($"{options.OutputPath}: the parts are of a job whose creation options only a copy applies ({string.Join(", ", first.Copy.Keys.Where(OutputEncoding.IsCreateOnly))}); a VRT over them would not have them (merge without {OptionName.Vrt})", options.Vrt);

        if (options.Vrt && whole.Bands[0].MaskFlags == MaskFlags.PerDataset) throw new InvalidOptionsException($"{options.OutputPath}: the parts keep validity in mask bands (lossy COMPRESS), which a VRT does not carry; merge without {OptionName.Vrt}", options.Vrt);
        using var output = OutputTarget.Prepare(parts[0].Path, vrtPath ?? options.OutputPath, options.Overwrite, resume: true, redoable: true);
        if (output.Resuming) throw new InvalidOptionsException($"{output.FinalPath}: an interrupted upscale left {output.PartialPath} and its journal; resume or remove it first");
        var copied = first.Copy is not null;
        using var streamed = copied ? output.Intermediate(parts[0].Path, ".gtiff", redoable: true) : output;
        var copyTime = TimeSpan.Zero;
        try
        {
            if (vrtPath is not null)
            {
                File.WriteAllText(output.PartialPath, Vrt(whole, parts, Path.GetDirectoryName(output.FinalPath)!));
            }
            else
            {
                var mask = whole.Bands[0].MaskFlags == MaskFlags.PerDataset;
                var megapixels = whole.Width * (double)whole.Height / 1e6;
                // A merge's own buffers: it has no tiles in flight to budget for.
                var buffers = new BufferOwner();
                using (var target = RasterDataset.Create(streamed.PartialPath, whole, first.Streamed, mask))
                using (var overviews = OverviewWriter.For(target, first.Overviews, created: true, buffers))
                {
                    Copy(parts, target, overviews, whole, buffers, progress, clock, ct);
                    overviews?.Finish();
                }
                copyTime = clock.Elapsed;
                if (copied)
                {
                    OutputFinish.Copy(streamed.PartialPath, output.PartialPath, OutputEncoding.DriverOf(first.Format), first.Copy!, new StageProgress(progress, UpscaleStage.Copy, megapixels, () => clock.Elapsed), ct);
                }
            }
            output.Commit();
            if (streamed != output) streamed.Abandon();
        }
        catch
        {
            output.Abandon();
            streamed.Abandon();
            throw;
        }
        return new MergeResult(output.FinalPath, whole.Width, whole.Height, parts.Count, copyTime, clock.Elapsed);
    }

    private sealed record Found(string Path, ShardPart Part, RasterProfile Profile);

    /// <summary>All N parts, in order, each checked; the first problem is one line naming its file.</summary>
    private static List<Found> Find(string outputPath, string folder)
    {
        var names = Directory.EnumerateFiles(folder).Select(Path.GetFileName)
            .Select(n => (Name: n!, Shard: ShardPart.FromName(outputPath, n!))).Where(x => x.Shard is not null).ToList();
        var stem = Path.GetFileNameWithoutExtension(outputPath);
        if (names.Count == 0) throw new InvalidOptionsException($"{outputPath}: no parts ({stem}.part-I-of-N.tif) in {folder}; run `satsr upscale … {OptionName.Shard} i/N` first");
        var counts = names.Select(x => x.Shard!.Value.Shard.Count).Distinct().Order().ToList();
        if (counts.Count > 1)
        {
            throw new InvalidOptionsException($"{folder}: holds parts of {string.Join(" and ", counts)} shards of {stem}; remove the parts of the other split");
        }
        var n = counts[0];
        var found = new List<Found>();
        for (var i = 0; i < n; i++)
        {
            var path = ShardPart.PathFor(outputPath, folder, new Shard(i, n));
            if (!File.Exists(path))
            {
                throw File.Exists(path + ".partial")
                    ? new InvalidOptionsException($"{path}: is incomplete ({Path.GetFileName(path)}.partial is not finished); rerun shard {i}/{n} with {OptionName.Resume}")
                    : new InvalidOptionsException($"{path}: is missing; run shard {i}/{n}");
            }
            RasterProfile profile;
            using (var ds = RasterDataset.Open(path)) profile = ds.Profile;
            var part = ShardPart.Of(profile) ?? throw new InvalidOptionsException($"{path}: is not a SatSR part (no {ShardPart.Domain} metadata)");
            if (part.Shard != new Shard(i, n)) throw new InvalidOptionsException($"{path}: says it is shard {part.Shard}, not {i}/{n}; it was renamed");
            if (found.Count > 0)
            {
                var (previous, start) = (found[^1], found[0]);
                if (part.Job != start.Part.Job)
                {
                    throw new InvalidOptionsException($"{path}: is from another job (input, model or options) than {Path.GetFileName(start.Path)}; rerun shard {i}/{n}");
                }
                if (part.Rows.From != previous.Part.Rows.To || profile.Width != previous.Profile.Width || profile.BandCount != previous.Profile.BandCount || profile.DataType != previous.Profile.DataType)
                {
                    throw new InvalidOptionsException($"{path}: does not continue {Path.GetFileName(previous.Path)} (rows, width or bands differ)");
                }
            }
            else if (part.Rows.From != 0)
            {
                throw new InvalidOptionsException($"{path}: does not start at row 0");
            }
            found.Add(new Found(path, part, profile));
        }
        if (found[^1].Part.Rows.To != found[0].Part.Height) throw new InvalidOptionsException($"{found[^1].Path}: does not end at the output's last row");
        return found;
    }

    /// <summary>
    /// Every part's pixels (and mask) into <paramref name="target"/> at its rows, in whole output blocks, each written once,
    /// and into its <paramref name="overviews"/>.
    /// </summary>
    private static void Copy(List<Found> parts, RasterDataset target, OverviewWriter? overviews, RasterProfile whole, BufferOwner buffers,
        IProgress<UpscaleProgress>? progress, Stopwatch clock, CancellationToken ct)
    {
        var bands = Enumerable.Range(1, whole.BandCount).ToArray();
        var mask = whole.Bands[0].MaskFlags == MaskFlags.PerDataset;
        using var values = buffers.Scratch<double>();
        using var valid = buffers.Scratch<byte>();
        var megapixels = whole.Width * (double)whole.Height / 1e6;
        foreach (var (path, part, profile) in parts)
        {
            using var source = RasterDataset.Open(path);
            foreach (var piece in OutputBlocks.Pieces(new Window(0, 0, profile.Width, profile.Height), target.Profile.BlockHeight, target.Profile.BlockWidth))
            {
                ct.ThrowIfCancellationRequested();
                var n = piece.Width * piece.Height;
                var pixels = values.Take(bands.Length * n);
                source.Read<double>(piece, bands, pixels);
                var at = piece with { Row = piece.Row + part.Rows.From };
                target.Write<double>(at, bands, pixels);
                var m = mask ? valid.Take(n) : null;
                if (m is not null)
                {
                    source.ReadMask(piece, 1, m);
                    target.WriteMask(at, m);
                }
                overviews?.Add(at, pixels, m);
                KillPoint.Pass(KillPoint.Merge);
                progress?.Report(new UpscaleProgress(at.Bottom, whole.Height, (double)at.Bottom / whole.Height * megapixels, megapixels, clock.Elapsed) { Stage = UpscaleStage.Copy });
            }
        }
    }

    /// <summary>A VRT of the whole output whose bands read each part at its rows (paths relative to the VRT when they are beside it).</summary>
    private static string Vrt(RasterProfile whole, List<Found> parts, string vrtFolder)
    {
        static string X(string s) => SecurityElement.Escape(s);
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"<VRTDataset rasterXSize=\"{whole.Width}\" rasterYSize=\"{whole.Height}\">\n");
        if (!string.IsNullOrEmpty(whole.Projection)) text.Append(CultureInfo.InvariantCulture, $"  <SRS>{X(whole.Projection)}</SRS>\n");
        if (whole.Transform is { } t) text.Append(CultureInfo.InvariantCulture, $"  <GeoTransform>{F(t.C0)}, {F(t.C1)}, {F(t.C2)}, {F(t.C3)}, {F(t.C4)}, {F(t.C5)}</GeoTransform>\n");
        for (var b = 1; b <= whole.BandCount; b++)
        {
            var info = whole.Bands[b - 1];
            text.Append(CultureInfo.InvariantCulture, $"  <VRTRasterBand dataType=\"{whole.DataType}\" band=\"{b}\">\n");
            if (info.Nodata is { } nodata) text.Append(CultureInfo.InvariantCulture, $"    <NoDataValue>{F(nodata)}</NoDataValue>\n");
            text.Append(CultureInfo.InvariantCulture, $"    <ColorInterp>{info.ColorInterpretation}</ColorInterp>\n");
            if (info.Description.Length > 0) text.Append(CultureInfo.InvariantCulture, $"    <Description>{X(info.Description)}</Description>\n");
            foreach (var (path, part, profile) in parts)
            {
                var relative = Path.GetDirectoryName(path) == vrtFolder;
                text.Append(CultureInfo.InvariantCulture, $"    <SimpleSource>\n      <SourceFilename relativeToVRT=\"{(relative ? 1 : 0)}\">{X(relative ? Path.GetFileName(path) : path)}</SourceFilename>\n");
                text.Append(CultureInfo.InvariantCulture, $"      <SourceBand>{b}</SourceBand>\n");
                text.Append(CultureInfo.InvariantCulture, $"      <SrcRect xOff=\"0\" yOff=\"0\" xSize=\"{profile.Width}\" ySize=\"{profile.Height}\" />\n");
                text.Append(CultureInfo.InvariantCulture, $"      <DstRect xOff=\"0\" yOff=\"{part.Rows.From}\" xSize=\"{profile.Width}\" ySize=\"{profile.Height}\" />\n    </SimpleSource>\n");
            }
            text.Append("  </VRTRasterBand>\n");
        }
        text.Append("</VRTDataset>\n");
        return text.ToString();
    }
}
