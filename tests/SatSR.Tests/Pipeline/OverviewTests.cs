using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Output;
using SatSR.Radiometry;
using SatSR.Raster;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// Overviews, built into every output while the full resolution is written: the mean of the valid pixels for continuous
/// bands, nearest for alpha; nodata never bleeds into a valid overview pixel and a valid one never becomes nodata.
/// Expected overview pixels are 2×2 block means written out here, not GDAL's.
/// </summary>
public class OverviewTests(ITestOutputHelper output)
{
    /// <summary>96×96 of the CBERS footprint edge: the black (0, nodata) wedge covers the left part.</summary>
    internal static string EdgeInput(string dir, int size = 96) =>
        TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, size, size), Path.Combine(dir, "edge.tif"));

    [Theory]
    [InlineData(256, 256, new int[0])]
    [InlineData(384, 384, new[] { 2 })]            // 192 px: fits
    [InlineData(512, 300, new[] { 2 })]            // 256 px: fits exactly
    [InlineData(513, 40, new[] { 2, 4 })]          // 256.5 px is still over
    [InlineData(2048, 1024, new[] { 2, 4, 8 })]
    public void Auto_halves_until_the_longer_side_fits_256_pixels(int width, int height, int[] factors)
    {
        var options = TestModels.GeneralX4OnCpu("in.tif", "out.tif");
        Assert.Equal(factors, options.OverviewFactors(width, height));
        Assert.Equal([8, 2], (options with { Overviews = [8, 2] }).OverviewFactors(width, height).Reverse());
        Assert.Empty((options with { Overviews = [] }).OverviewFactors(width, height));
    }

    [Fact]
    public void Default_output_has_overviews_that_average_each_block()
    {
        var dir = TestFiles.TempDir();
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(EdgeInput(dir), Path.Combine(dir, "out.tif")));
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        using (var ds = RasterDataset.Open(result.OutputPath))
        {
            Assert.Equal([(192, 192)], ds.OverviewSizes);
        }
        Assert.Equal(ValidMeans(full, profile.Width, profile.Height, nodata: 0).Means, ReadOverview(result.OutputPath, 0));
        using var level = RasterDataset.OpenOverview(result.OutputPath, 0);
        Assert.Equal(0, level.Profile.Bands[0].Nodata);
    }

    /// <summary>
    /// Every level, not only the first: GDAL averages level after level (each from the one before, as gdaladdo does),
    /// so ×4 is the 2×2 valid means of the ×2 level and ×8 of the ×4 level, worked out here from the full resolution.
    /// Measured against 4×4 and 8×8 means of the full resolution instead, that differs by rounding alone (at most 1).
    /// </summary>
    [Fact]
    public void Every_overview_level_averages_the_blocks_of_the_level_before()
    {
        var dir = TestFiles.TempDir();
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(EdgeInput(dir), Path.Combine(dir, "out.tif")) with { Overviews = [2, 4, 8] });
        var expected = TestRasters.ReadAll(result.OutputPath, out var profile);
        int w = profile.Width, h = profile.Height;
        using (var ds = RasterDataset.Open(result.OutputPath))
        {
            Assert.Equal([(192, 192), (96, 96), (48, 48)], ds.OverviewSizes);
        }
        for (var level = 0; level < 3; level++)
        {
            var (means, valid, mixed) = ValidMeans(expected, w, h, nodata: 0);
            (expected, w, h) = (means, (w + 1) / 2, (h + 1) / 2);
            output.WriteLine($"level {level}: {valid.Count(v => !v)} nodata and {mixed} mixed blocks of {means.Length}");
            Assert.True(valid.Distinct().Count() == 2, "every level must straddle the footprint edge");
            // At ×8 a block covers 2×2 input pixels, so the edge cuts some: their means weigh only the valid ones.
            if (level == 2) Assert.True(mixed > 0);
            Assert.Equal(expected, ReadOverview(result.OutputPath, level));
        }
    }

    [Fact]
    public void Overviews_across_the_footprint_edge_average_only_valid_pixels()
    {
        var dir = TestFiles.TempDir();
        // At ×8 an overview pixel covers 2×2 input pixels: along the edge, some of them are nodata.
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(EdgeInput(dir), Path.Combine(dir, "out.tif")) with { Overviews = [8] });
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        var (expected, _, mixed) = ValidMeans(full, profile.Width, profile.Height, nodata: 0, factor: 8);
        output.WriteLine($"{mixed} overview pixels mix valid and nodata pixels; {expected.Count(v => v == 0)} of {expected.Length} are nodata");
        Assert.True(mixed > 10, "the crop must straddle the footprint edge");
        Assert.Equal(expected, ReadOverview(result.OutputPath, 0));
    }

    [Fact]
    public void A_mean_of_valid_pixels_equal_to_nodata_is_stepped_off_it()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 48, 48), Path.Combine(dir, "town.tif"));
        // The commonest grey of the scene as nodata: many 2×2 means of valid output pixels land on it.
        var values = TestRasters.ReadAll(input, out _);
        var nodata = values.GroupBy(v => v).MaxBy(g => g.Count())!.Key;
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(input, Path.Combine(dir, "out.tif")) with
        {
            Nodata = NodataMode.Value, NodataValue = nodata, Overviews = [2],
        });
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        var overview = ReadOverview(result.OutputPath, 0);

        var (expected, valid, _) = ValidMeans(full, profile.Width, profile.Height, nodata);
        var landed = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (!valid[i]) Assert.Equal(nodata, overview[i]);
            else if (expected[i] == nodata)
            {
                landed++;
                Assert.NotEqual(nodata, overview[i]);
                Assert.Equal(nodata, overview[i], 1.0);
            }
            else Assert.Equal(expected[i], overview[i]);
        }
        output.WriteLine($"nodata {nodata}: {landed} block means of valid pixels land on it");
        Assert.True(landed > 0);
    }

    [Fact]
    public void Alpha_overviews_are_nearest_not_averaged()
    {
        var dir = TestFiles.TempDir();
        // The footprint edge with its validity as an alpha band, at ×1 so that the output's alpha is the input's.
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 64, 64), Path.Combine(dir, "alpha.tif"),
            p => p with { Bands = [p.Bands[0], p.Bands[0] with { ColorInterpretation = ColorInterpretation.Alpha }] },
            creation: new Dictionary<string, string> { ["ALPHA"] = "YES" });
        using (var ds = RasterDataset.OpenForUpdate(input))
        {
            var gray = new double[64 * 64];
            ds.Read<double>(new Window(0, 0, 64, 64), [1], gray);
            ds.Write<double>(new Window(0, 0, 64, 64), [2], gray.Select(v => v == 0 ? 0.0 : 255).ToArray());
        }
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(input, Path.Combine(dir, "out.tif")) with { Scale = 1, Overviews = [2] });
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        var overview = ReadOverview(result.OutputPath, 0);

        int w = profile.Width, ow = w / 2, plane = ow * ow, edge = 0;
        var alpha = full.AsSpan(w * w);
        for (var y = 0; y < ow; y++)
        {
            for (var x = 0; x < ow; x++)
            {
                // Nearest at ×2 is the block's top-left pixel; a mean would make edge blocks partly opaque.
                var block = new[] { alpha[2 * y * w + 2 * x], alpha[2 * y * w + 2 * x + 1], alpha[(2 * y + 1) * w + 2 * x], alpha[(2 * y + 1) * w + 2 * x + 1] };
                if (block.Distinct().Count() > 1 && block[0] == 0) edge++;
                Assert.Equal(block[0], overview[plane + y * ow + x]);
            }
        }
        output.WriteLine($"{edge} edge blocks start transparent");
        Assert.True(edge > 0);
    }

    [Fact]
    public void Outscale_output_gets_overviews_too()
    {
        var dir = TestFiles.TempDir();
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(EdgeInput(dir, 48), Path.Combine(dir, "out.tif")) with { OutScale = 2.5, Overviews = [2] });
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        Assert.Equal(120, profile.Width);
        var (expected, _, mixed) = ValidMeans(full, profile.Width, profile.Height, nodata: 0);
        Assert.True(mixed > 0);
        Assert.Equal(expected, ReadOverview(result.OutputPath, 0));
        Assert.Equal(["edge.tif", "out.tif"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void None_builds_no_overviews()
    {
        var dir = TestFiles.TempDir();
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(EdgeInput(dir), Path.Combine(dir, "out.tif")) with { Overviews = [] });
        using var ds = RasterDataset.Open(result.OutputPath);
        Assert.Empty(ds.OverviewSizes);
    }

    /// <summary>
    /// The writer's last step leaves every overview block in the file, read by a second handle while the first is still
    /// open: GDAL 3.6 keeps an overview's blocks in its cache, and closing the file compresses them on one thread, after
    /// its compression threads are gone; so they must leave the cache before the close.
    /// </summary>
    [Fact]
    public void Finish_puts_every_overview_block_in_the_file_before_it_is_closed()
    {
        var path = Path.Combine(TestFiles.TempDir(), "out.tif");
        const int w = 96, h = 64;
        // 1..250, never 0: every pixel counts in the means.
        var full = Enumerable.Range(0, w * h).Select(i => (double)(1 + (i % w * 37 + i / w * 11) % 250)).ToArray();
        var profile = new RasterProfile
        {
            Width = w,
            Height = h,
            DataType = RasterDataType.Byte,
            Bands = [new BandInfo("", ColorInterpretation.Gray, null, MaskFlags.AllValid)],
        };
        var creation = new Dictionary<string, string> { ["TILED"] = "YES", ["BLOCKXSIZE"] = "32", ["BLOCKYSIZE"] = "32", ["COMPRESS"] = "DEFLATE", ["NUM_THREADS"] = "2" };
        using var target = RasterDataset.Create(path, profile, creation);
        using var overviews = OverviewWriter.For(target, [2], created: true, new SatSR.Pipeline.Buffers.BufferOwner())!;
        foreach (var piece in OutputBlocks.Pieces(new Window(0, 0, w, h), 32, 32))
        {
            var part = new double[piece.Width * piece.Height];
            for (var y = 0; y < piece.Height; y++)
            {
                Array.Copy(full, (piece.Row + y) * w + piece.Column, part, y * piece.Width, piece.Width);
            }
            target.Write<double>(piece, [1], part);
            overviews.Add(piece, part, null);
        }
        overviews.Finish();

        Assert.Equal(ValidMeans(full, w, h, nodata: 0).Means, ReadOverview(path, 0));
    }

    /// <summary>All bands of overview <paramref name="level"/>, band-major.</summary>
    internal static double[] ReadOverview(string path, int level)
    {
        using var ds = RasterDataset.OpenOverview(path, level);
        var p = ds.Profile;
        var data = new double[p.BandCount * p.Width * p.Height];
        ds.Read<double>(new Window(0, 0, p.Width, p.Height), Enumerable.Range(1, p.BandCount).ToArray(), data);
        return data;
    }

    /// <summary>
    /// The ×<paramref name="factor"/> overview of one band: each f×f block's mean over its pixels that are not
    /// <paramref name="nodata"/>, rounded half up as GDAL rounds to integers, or nodata when none is valid (Valid
    /// false). Mixed: blocks of both kinds.
    /// </summary>
    internal static (double[] Means, bool[] Valid, int Mixed) ValidMeans(double[] full, int width, int height, double nodata, int factor = 2)
    {
        int f = factor, ow = (width + f - 1) / f, oh = (height + f - 1) / f, mixed = 0;
        var means = new double[ow * oh];
        var any = new bool[ow * oh];
        for (var y = 0; y < oh; y++)
        {
            for (var x = 0; x < ow; x++)
            {
                double sum = 0;
                int valid = 0, all = 0;
                for (var yy = f * y; yy < Math.Min(f * y + f, height); yy++)
                {
                    for (var xx = f * x; xx < Math.Min(f * x + f, width); xx++)
                    {
                        all++;
                        var v = full[yy * width + xx];
                        if (v == nodata) continue;
                        sum += v;
                        valid++;
                    }
                }
                if (valid > 0 && valid < all) mixed++;
                means[y * ow + x] = valid == 0 ? nodata : Math.Floor(sum / valid + 0.5);
                any[y * ow + x] = valid > 0;
            }
        }
        return (means, any, mixed);
    }

    /// <summary>Reports synchronously, on the job's thread (System.Progress would post to the thread pool).</summary>
    internal sealed class Progress(Action<UpscaleProgress> report) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value) => report(value);
    }
}
