using System.Diagnostics;
using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Raster;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// Overviews built while the full resolution is written equal, pixel for pixel, the ones GDAL builds from the same
/// full resolution read back: python3-gdal copies the file's full resolution (and mask) losslessly, then computes every
/// level as SatSR did before (GDALRegenerateOverviews band by band: average, nearest for alpha and the mask). Odd sizes
/// (windows that are not whole pixels), several levels, column chunks (the seams between them) and each kind of validity
/// (nodata value, mask, alpha, none) are covered.
/// </summary>
public class OverviewGdalTests(ITestOutputHelper output)
{
    private static readonly int[] Levels = [2, 4, 8, 16];

    /// <summary>
    /// Random samples of every type with nodata holes (a corner and 10 % scattered), written piece by piece in the
    /// order of a job whose strip is 96 columns wide: three column chunks, each from the top, so every level has seams.
    /// 301×257 makes every level's windows uneven (301/151, 257/129, …).
    /// </summary>
    [Theory]
    [InlineData(RasterDataType.Byte, 0.0)]
    [InlineData(RasterDataType.Byte, null)]
    [InlineData(RasterDataType.Byte, 255.0)]
    [InlineData(RasterDataType.UInt16, 0.0)]
    [InlineData(RasterDataType.UInt16, null)]
    [InlineData(RasterDataType.Int16, -9999.0)]
    [InlineData(RasterDataType.Int16, null)]
    [InlineData(RasterDataType.UInt32, 0.0)]
    [InlineData(RasterDataType.Float32, -9999.0)]
    [InlineData(RasterDataType.Float32, null)]
    [InlineData(RasterDataType.Float64, -9999.0)]
    public void Overviews_written_in_column_chunks_equal_GDALs(RasterDataType type, double? nodata)
    {
        var dir = TestFiles.TempDir();
        var path = Path.Combine(dir, "written.tif");
        var profile = Profile(301, 257, type, 1, nodata);
        var values = Samples(profile, seed: (int)type);
        if (nodata is { } nd) Holes(values, profile, _ => nd, seed: 7);
        Write(path, profile, values, mask: null, chunkWidth: 96);
        AssertEqualToGdal(path, Levels, exact: true);
    }

    /// <summary>
    /// Even sizes make every window whole 2×2 (integer rows go in pairs); chunks of 100 columns cut windows from the
    /// third level on, so chunks taken in pairs and one by one follow each other both ways. The bottom half's samples
    /// crowd round nodata, so that many means land on it (with nodata inside the range: at an end, no mean can).
    /// </summary>
    [Theory]
    [InlineData(RasterDataType.Byte, 0.0)]
    [InlineData(RasterDataType.Byte, null)]
    [InlineData(RasterDataType.Byte, 255.0)]
    [InlineData(RasterDataType.Byte, 100.0)]
    [InlineData(RasterDataType.UInt16, 0.0)]
    [InlineData(RasterDataType.UInt16, 1000.0)]
    [InlineData(RasterDataType.UInt16, null)]
    public void Overviews_of_whole_2x2_windows_equal_GDALs(RasterDataType type, double? nodata)
    {
        var dir = TestFiles.TempDir();
        var path = Path.Combine(dir, "written.tif");
        var profile = Profile(304, 256, type, 1, nodata);
        var values = Samples(profile, seed: (int)type);
        var low = nodata is { } n ? Math.Clamp(n - 1, 0, (type == RasterDataType.Byte ? byte.MaxValue : ushort.MaxValue) - 2) : 0;
        for (var i = values.Length / 2; i < values.Length; i++) values[i] = low + values[i] % 3;
        if (nodata is { } nd) Holes(values, profile, _ => nd, seed: 7);
        Write(path, profile, values, mask: null, chunkWidth: 100);
        AssertEqualToGdal(path, Levels, exact: true);
    }

    /// <summary>An internal mask (lossless here, so every sample is exact): bands averaged over the mask's valid pixels from the full resolution, the mask nearest.</summary>
    [Fact]
    public void Overviews_of_a_file_with_a_mask_equal_GDALs()
    {
        var dir = TestFiles.TempDir();
        var path = Path.Combine(dir, "masked.tif");
        var profile = Profile(301, 257, RasterDataType.Byte, 3, null);
        var values = Samples(profile, seed: 3);
        var mask = Enumerable.Repeat((byte)255, profile.Width * profile.Height).ToArray();
        Holes(mask, profile, seed: 11);
        Write(path, profile, values, mask, chunkWidth: 64);
        using (var ds = RasterDataset.Open(path)) Assert.Equal(MaskFlags.PerDataset, ds.Profile.Bands[0].MaskFlags);
        AssertEqualToGdal(path, Levels, exact: true);
    }

    /// <summary>
    /// The default run (nodata 0 along the footprint edge, 8-bit) at an odd size: ×1 through the ×4 network, so 75×53
    /// stays odd, with 16-pixel blocks and a strip budget that splits the output into column chunks.
    /// </summary>
    [Fact]
    public void Byte_output_with_nodata_has_GDALs_overviews()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 75, 53), Path.Combine(dir, "edge.tif"));
        // Strips of 48 rows at ×1: a 4 KiB budget makes chunks one block wide.
        var result = Upscaler.Run(Small(input, Path.Combine(dir, "out.tif")) with { Scale = 1, StripBudgetBytes = 4 << 10 });
        Assert.Equal((75, 53), (result.Width, result.Height));
        AssertEqualToGdal(result.OutputPath, [2, 4, 8, 16], exact: true);
    }

    [Fact]
    public void UInt16_output_has_GDALs_overviews()
    {
        var dir = TestFiles.TempDir();
        // 11-bit-like values (the footprint's 0 stays 0, nodata).
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 48, 40), Path.Combine(dir, "edge16.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v == 0 ? 0 : v * 7 + 3);
        var result = Upscaler.Run(Small(input, Path.Combine(dir, "out.tif")));
        using (var ds = RasterDataset.Open(result.OutputPath)) Assert.Equal(RasterDataType.UInt16, ds.Profile.DataType);
        AssertEqualToGdal(result.OutputPath, [2, 4, 8, 16], exact: true);
    }

    /// <summary>
    /// RGBA without a nodata value: the colour bands are averaged over the pixels alpha marks valid (any alpha above 0),
    /// alpha itself is nearest, both from the full resolution.
    /// </summary>
    [Fact]
    public void Overviews_of_a_file_with_alpha_equal_GDALs()
    {
        var dir = TestFiles.TempDir();
        var path = Path.Combine(dir, "rgba.tif");
        var profile = Profile(301, 257, RasterDataType.Byte, 4, null);
        profile = profile with { Bands = [.. profile.Bands.Take(3), profile.Bands[3] with { ColorInterpretation = ColorInterpretation.Alpha }] };
        var values = Samples(profile, seed: 5);
        var plane = profile.Width * profile.Height;
        // Alpha of all kinds, 0 (transparent) in holes: GDAL counts every alpha above 0 as valid.
        for (var i = 0; i < plane; i++) values[3 * plane + i] = new[] { 1.0, 128, 255, 255 }[i % 4];
        Holes(values, profile, b => b == 3 ? 0 : values[0], seed: 13);
        Write(path, profile, values, mask: null, chunkWidth: 96, new Dictionary<string, string> { ["ALPHA"] = "YES" });
        using (var ds = RasterDataset.Open(path)) Assert.Equal(MaskFlags.Alpha | MaskFlags.PerDataset, ds.Profile.Bands[0].MaskFlags);
        AssertEqualToGdal(path, Levels, exact: true);
    }

    /// <summary>SatSR's RGBA output: its colour bands carry the nodata value too (so they cascade), alpha is nearest from the full resolution.</summary>
    [Fact]
    public void Rgba_output_has_GDALs_overviews()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, 37, 29), Path.Combine(dir, "rgba.tif"),
            p => p with { Bands = [.. p.Bands, p.Bands[0] with { ColorInterpretation = ColorInterpretation.Alpha }] },
            creation: new Dictionary<string, string> { ["ALPHA"] = "YES" });
        // Transparent: a diagonal wedge and a scattered few, so overview windows straddle the edge.
        TestRasters.Edit(input, (band, x, y, v) => band < 3 ? v : x + y < 20 || (x * 7 + y * 13) % 11 == 0 ? 0 : 255);
        var result = Upscaler.Run(Small(input, Path.Combine(dir, "out.tif")));
        using (var ds = RasterDataset.Open(result.OutputPath))
        {
            Assert.Equal(ColorInterpretation.Alpha, ds.Profile.Bands[3].ColorInterpretation);
            Assert.Equal(MaskFlags.Nodata, ds.Profile.Bands[0].MaskFlags);
        }
        AssertEqualToGdal(result.OutputPath, [2, 4, 8, 16], exact: true);
    }

    /// <summary>
    /// JPEG is lossy: the overviews are averaged from the pixels before compression and then compressed themselves,
    /// while GDAL averages the decoded full resolution. "Identical" is then what survives the codec: the mask overviews
    /// bit for bit, and the values as close to GDAL's as JPEG keeps any pixel (at least 40 dB, and within the full
    /// resolution's own JPEG error; a mean that counted masked pixels would be off by tens along the edge).
    /// </summary>
    [Fact]
    public void Jpeg_output_with_a_mask_has_GDALs_overviews_up_to_the_codec()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 64, 48), Path.Combine(dir, "edge.tif"));
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(input, Path.Combine(dir, "out.tif")) with
        {
            CreationOptions = new Dictionary<string, string> { ["COMPRESS"] = "JPEG", ["BLOCKXSIZE"] = "64", ["BLOCKYSIZE"] = "64" },
            Overviews = [2, 4, 8],
            StripBudgetBytes = 96 << 10,
        });
        var reference = GdalOverviews(result.OutputPath, [2, 4, 8]);
        for (var level = 0; level < 3; level++)
        {
            var (ours, oursMask) = ReadLevel(result.OutputPath, level);
            var (gdal, gdalMask) = ReadLevel(reference, level);
            Assert.Equal(gdalMask, oursMask);
            Assert.Contains((byte)0, oursMask);
            var valid = ours.Where((_, i) => oursMask[i] != 0).ToArray();
            var expected = gdal.Where((_, i) => gdalMask[i] != 0).ToArray();
            var psnr = TestRasters.Psnr(expected, valid);
            var worst = valid.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"level {level}: {psnr:F1} dB from GDAL's, worst {worst}");
            Assert.True(psnr >= 40, $"level {level}: {psnr:F1} dB");
        }
    }

    /// <summary>Parts merged: the merge writes the overviews while it copies, equal to GDAL's over the merged pixels.</summary>
    [Fact]
    public void Merged_parts_get_GDALs_overviews()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 40, 39), Path.Combine(dir, "edge.tif"));
        var options = Small(input, Path.Combine(dir, "out.tif"));
        for (var i = 0; i < 3; i++) Upscaler.Run(options with { Shard = new Shard(i, 3) });
        var merged = PartMerge.Run(new MergeOptions { OutputPath = options.OutputPath });
        Assert.Equal((160, 156), (merged.Width, merged.Height));
        AssertEqualToGdal(merged.OutputPath, [2, 4, 8, 16], exact: true);
    }

    /// <summary>
    /// Cancelled in the middle of the second of five column chunks, then resumed (and cancelled once more while it reads
    /// back): the resumed run reads back the rows the first run wrote, for the overview pixels they share with the rest,
    /// and ends with the overviews of a run never interrupted (and GDAL's).
    /// </summary>
    [Fact]
    public void A_resumed_run_has_the_overviews_of_an_uninterrupted_one()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 40, 48), Path.Combine(dir, "edge.tif"));
        var options = Small(input, Path.Combine(dir, "out.tif"));
        var reference = Upscaler.Run(options with { OutputPath = Path.Combine(dir, "reference.tif") });

        using var cts = new CancellationTokenSource();
        // 24 tiles in chunks of 32 columns: after 9, the second chunk is written down to row 64 of 192.
        var cancel = new OverviewTests.Progress(p => { if (p.Stage == UpscaleStage.Infer && p.TilesDone >= 9) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, cancel, cts.Token));
        var journal = System.Text.Json.JsonDocument.Parse(File.ReadAllText(options.OutputPath + ".partial.journal")).RootElement;
        output.WriteLine($"cancelled in chunk {journal.GetProperty("Chunk")} at row {journal.GetProperty("RowsDone")}");
        Assert.True(journal.GetProperty("Chunk").GetInt32() > 0 && journal.GetProperty("RowsDone").GetInt32() is > 0 and < 192, "cancelled inside a chunk after the first");

        // Cancelled again while it reads back: the file is as it was, and the next resume reads back again.
        using var again = new CancellationTokenSource();
        var stopReading = new OverviewTests.Progress(p => { if (p.Stage == UpscaleStage.Overviews) again.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options with { Resume = true }, stopReading, again.Token));
        var replayed = 0;
        var resumed = Upscaler.Run(options with { Resume = true }, new OverviewTests.Progress(p => { if (p.Stage == UpscaleStage.Overviews) replayed++; }));
        output.WriteLine($"resumed: {replayed} reports while reading back");
        Assert.True(replayed > 0, "the resumed run must read back the rows written before");
        Assert.Equal(TestRasters.ReadAll(reference.OutputPath, out _), TestRasters.ReadAll(resumed.OutputPath, out _));
        for (var level = 0; level < 4; level++)
        {
            var (once, resumedLevel) = (ReadLevel(reference.OutputPath, level), ReadLevel(resumed.OutputPath, level));
            Assert.Equal(once.Values, resumedLevel.Values);
            Assert.Equal(once.Mask, resumedLevel.Mask);
        }
        AssertEqualToGdal(resumed.OutputPath, [2, 4, 8, 16], exact: true);
    }

    /// <summary>
    /// The CLI killed (SIGKILL) right after its journal records row 256, then resumed: the overview blocks those rows
    /// completed (GeoTIFF overviews have 128-row blocks here: level 1's first block row needs rows 0–255) must be on disk
    /// by then, for the resumed run reads those rows back without writing their blocks again. Tiles of 16 without
    /// overlap make the journal record every 64 rows.
    /// </summary>
    [Fact]
    public async Task Killed_right_after_a_record_then_resumed_has_the_overviews_of_an_uninterrupted_run()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 40, 96), Path.Combine(dir, "edge.tif"));
        var output = Path.Combine(dir, "out.tif");
        var reference = Upscaler.Run(TestModels.GeneralX4OnCpu(input, Path.Combine(dir, "reference.tif")) with
        {
            TileSize = 16, Overlap = 0, Overviews = [2, 4], CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
        });
        string[] args = ["upscale", input, output, "--model", TestFiles.Fixture("models/realesr-general-x4v3.onnx"), "--device", "cpu", "--tile", "16", "--overlap", "0",
            "--overviews", "2,4", "--co", "BLOCKXSIZE=16", "--co", "BLOCKYSIZE=16"];
        var (killed, log) = await SatsrProcess.Run(args, "record:4");
        Assert.True(killed == 137, $"exit {killed}: {log}");
        Assert.Contains("\"RowsDone\":256", File.ReadAllText(output + ".partial.journal"));
        var (resumed, error) = await SatsrProcess.Run([.. args, "--resume"]);
        Assert.True(resumed == 0, error);
        Assert.Equal(TestRasters.ReadAll(reference.OutputPath, out _), TestRasters.ReadAll(output, out _));
        for (var level = 0; level < 2; level++)
        {
            var (once, after) = (ReadLevel(reference.OutputPath, level), ReadLevel(output, level));
            Assert.Equal(once.Values, after.Values);
        }
    }

    /// <summary>
    /// The ×4 network with small tiles, 16-pixel blocks and a strip budget that cuts the output into column chunks: strips
    /// of 16 + 32·4 rows, 576 bytes a column, so chunks of 32 columns.
    /// </summary>
    private static UpscaleOptions Small(string input, string outputPath) => TestModels.GeneralX4OnCpu(input, outputPath) with
    {
        TileSize = 16,
        Overlap = 8,
        CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
        StripBudgetBytes = 24 << 10,
        Overviews = [2, 4, 8, 16],
    };

    private static RasterProfile Profile(int width, int height, RasterDataType type, int bands, double? nodata) => new()
    {
        Width = width,
        Height = height,
        DataType = type,
        Bands = Enumerable.Range(0, bands).Select(_ => new BandInfo("", ColorInterpretation.Gray, nodata, nodata is null ? MaskFlags.AllValid : MaskFlags.Nodata)).ToList(),
    };

    /// <summary>Seeded random samples over most of the type's range (floats: 0..1000 with fractions).</summary>
    private static double[] Samples(RasterProfile p, int seed)
    {
        var random = new Random(seed);
        var (low, high) = p.DataType switch
        {
            RasterDataType.Byte => (0, 256),
            RasterDataType.UInt16 => (0, 65536),
            RasterDataType.Int16 => (-3000, 3000),
            RasterDataType.UInt32 => (0, int.MaxValue),
            _ => (0, 1000),
        };
        var floating = p.DataType is RasterDataType.Float32 or RasterDataType.Float64;
        return Enumerable.Range(0, p.BandCount * p.Width * p.Height).Select(_ => floating
            ? (double)(float)(random.NextDouble() * high)
            : p.DataType == RasterDataType.UInt32 ? (double)random.NextInt64(0, uint.MaxValue) : random.Next(low, high)).ToArray();
    }

    /// <summary>Marks the top-left quarter-by-third and a seeded tenth of the pixels invalid (every band).</summary>
    private static void Holes(double[] values, RasterProfile p, Func<int, double> nodata, int seed)
    {
        var random = new Random(seed);
        var plane = p.Width * p.Height;
        for (var i = 0; i < plane; i++)
        {
            if ((i % p.Width < p.Width / 4 && i / p.Width < p.Height / 3) || random.NextDouble() < 0.1)
            {
                for (var b = 0; b < p.BandCount; b++) values[b * plane + i] = nodata(b);
            }
        }
    }

    private static void Holes(byte[] mask, RasterProfile p, int seed)
    {
        var values = mask.Select(m => (double)m).ToArray();
        Holes(values, p with { Bands = [p.Bands[0]] }, _ => 0, seed);
        for (var i = 0; i < mask.Length; i++) mask[i] = (byte)values[i];
    }

    /// <summary>
    /// Writes <paramref name="values"/> (band-major) as a job does: column chunks of <paramref name="chunkWidth"/>, each
    /// top to bottom in whole block rows of 32×32 blocks, handing every piece to the overview writer.
    /// </summary>
    private static void Write(string path, RasterProfile profile, double[] values, byte[]? mask, int chunkWidth, Dictionary<string, string>? extra = null)
    {
        var creation = new Dictionary<string, string>(extra ?? []) { ["TILED"] = "YES", ["BLOCKXSIZE"] = "32", ["BLOCKYSIZE"] = "32", ["COMPRESS"] = "DEFLATE" };
        using var target = RasterDataset.Create(path, profile, creation, mask is not null);
        using var overviews = OverviewWriter.For(target, Levels, created: true, new BufferOwner())!;
        var bands = Enumerable.Range(1, profile.BandCount).ToArray();
        int w = profile.Width, h = profile.Height;
        for (var left = 0; left < w; left += chunkWidth)
        {
            foreach (var piece in OutputBlocks.Pieces(Window.FromEdges(left, 0, Math.Min(w, left + chunkWidth), h), 32, 32))
            {
                var n = piece.Width * piece.Height;
                var part = new double[bands.Length * n];
                var partMask = new byte[n];
                for (var b = 0; b < bands.Length; b++)
                {
                    for (var y = 0; y < piece.Height; y++)
                    {
                        for (var x = 0; x < piece.Width; x++)
                        {
                            var at = (piece.Row + y) * w + piece.Column + x;
                            part[b * n + y * piece.Width + x] = values[b * w * h + at];
                            if (mask is not null) partMask[y * piece.Width + x] = mask[at];
                        }
                    }
                }
                target.Write<double>(piece, bands, part);
                if (mask is not null) target.WriteMask(piece, partMask);
                overviews.Add(piece, part, mask is null ? null : partMask);
            }
        }
        overviews.Flush();
    }

    /// <summary>Every level of <paramref name="path"/> equals GDAL's, values and mask.</summary>
    private void AssertEqualToGdal(string path, IReadOnlyList<int> factors, bool exact)
    {
        var reference = GdalOverviews(path, factors);
        using (var ds = RasterDataset.Open(path)) Assert.Equal(factors.Count, ds.OverviewSizes.Count);
        for (var level = 0; level < factors.Count; level++)
        {
            var (ours, oursMask) = ReadLevel(path, level);
            var (gdal, gdalMask) = ReadLevel(reference, level);
            var differ = ours.Where((v, i) => !v.Equals(gdal[i])).Count();
            output.WriteLine($"level {level}: {ours.Length} samples, {differ} differ, {oursMask.Count(m => m == 0)} masked");
            if (exact) Assert.Equal(gdal, ours);
            Assert.Equal(gdalMask, oursMask);
        }
    }

    /// <summary>All bands of overview <paramref name="level"/> (band-major) and its mask.</summary>
    private static (double[] Values, byte[] Mask) ReadLevel(string path, int level)
    {
        using var ds = RasterDataset.OpenOverview(path, level);
        var p = ds.Profile;
        var values = new double[p.BandCount * p.Width * p.Height];
        var window = new Window(0, 0, p.Width, p.Height);
        ds.Read<double>(window, Enumerable.Range(1, p.BandCount).ToArray(), values);
        var mask = new byte[p.Width * p.Height];
        ds.ReadMask(window, 1, mask);
        return (values, mask);
    }

    /// <summary>
    /// GDAL's overviews of <paramref name="path"/>'s full resolution, made as SatSR made them before it built them in the
    /// pass: a byte-for-byte copy of the file loses its overviews and gets them again from GDAL, band by band
    /// (GDALRegenerateOverviews: average, nearest for alpha and the mask), from its full resolution as written (decoded).
    /// </summary>
    private static string GdalOverviews(string path, IReadOnlyList<int> factors)
    {
        var copy = path + ".gdal.tif";
        File.Copy(path, copy);
        var script = Path.Combine(Path.GetDirectoryName(path)!, "gdal_overviews.py");
        File.WriteAllText(script, """
            import sys
            from osgeo import gdal
            gdal.UseExceptions()
            copy, factors = sys.argv[1], [int(f) for f in sys.argv[2].split(',')]
            ds = gdal.Open(copy, gdal.GA_Update)
            ds.BuildOverviews('NONE', [])
            assert ds.GetRasterBand(1).GetOverviewCount() == 0
            ds.BuildOverviews('NONE', factors)
            for i in range(1, ds.RasterCount + 1):
                band = ds.GetRasterBand(i)
                how = 'NEAREST' if band.GetColorInterpretation() == gdal.GCI_AlphaBand else 'AVERAGE'
                gdal.RegenerateOverviews(band, [band.GetOverview(k) for k in range(band.GetOverviewCount())], how)
            first = ds.GetRasterBand(1)
            if first.GetMaskFlags() == gdal.GMF_PER_DATASET:
                mask = first.GetMaskBand()
                gdal.RegenerateOverviews(mask, [mask.GetOverview(k) for k in range(mask.GetOverviewCount())], 'NEAREST')
            ds = None
            """);
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python, [script, copy, string.Join(',', factors)]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"GDAL's overviews failed (python3-gdal; tools/test installs it): {stderr}{stdout.Result}");
        return copy;
    }
}
