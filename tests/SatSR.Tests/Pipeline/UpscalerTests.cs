using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Raster;
using SatSR.Tests.Models;
using SatSR.Tests.Pixels;
using SatSR.Tiling;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

public class UpscalerTests(ITestOutputHelper output)
{
    private static UpscaleOptions Options(string input, string outputPath) => TestModels.GeneralX4OnCpu(input, outputPath);

    [Fact]
    public void Rotated_geotransform_is_scaled_with_the_same_origin_and_crs()
    {
        using var dir = new TempFolder();
        var input = TestFiles.Fixture("geomatrix_rotated.tif");
        var result = Upscaler.Run(Options(input, dir.File("out.tif")));

        using var src = RasterDataset.Open(input);
        using var dst = RasterDataset.Open(result.OutputPath);
        Assert.Equal((80, 80), (dst.Profile.Width, dst.Profile.Height));
        // The input's geotransform (gdalinfo): origin (1841001.75, 1144003.25), pixel 1.5 × −1.5, rotation −5, −5.
        // ×4: the same origin (the top-left corner stays where it is), all four linear terms ÷ 4.
        Assert.Equal([1841001.75, 1.5, -5, 1144003.25, -5, -1.5], src.Profile.Transform!.Value.ToArray());
        Assert.Equal([1841001.75, 0.375, -1.25, 1144003.25, -1.25, -0.375], dst.Profile.Transform!.Value.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(src.Profile.Projection, dst.Profile.Projection);
        Assert.Equal(0, dst.Profile.Bands[0].Nodata);
        Assert.Equal((512, 512), (dst.Profile.BlockWidth, dst.Profile.BlockHeight));
        Assert.False(File.Exists(result.OutputPath + ".partial"));
    }

    /// <summary>
    /// --scale 2 or 3 with a ×4 model is the ×4 output area-averaged to that size (here: averaged in the test from the
    /// ×4 file, so only rounding differs), on a grid with the same origin and the four linear terms ÷ the scale.
    /// </summary>
    [Theory]
    [InlineData(2, 0.75, -2.5)]       // 1.5 / 2, −5 / 2
    [InlineData(3, 0.5, -5.0 / 3)]    // 1.5 / 3, −5 / 3
    public void Smaller_scales_from_a_x4_model_resample_the_output(int scale, double pixel, double rotation)
    {
        using var dir = new TempFolder();
        var input = TestFiles.Fixture("geomatrix_rotated.tif");
        var x4 = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("x4.tif"))).OutputPath, out _);
        var result = Upscaler.Run(Options(input, dir.File("out.tif")) with { Scale = scale });
        var actual = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal((20 * scale, 20 * scale), (q.Width, q.Height));
        Assert.Equal([1841001.75, pixel, rotation, 1144003.25, rotation, -pixel], q.Transform!.Value.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);

        // Only the ×4 file's rounding differs: within 1 grey level (measured: 0.75 at ×2, 0.875 at ×3).
        var expected = ReferenceResample.Resample(x4, null, 80, 80, q.Width, q.Height);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"--scale {scale}: largest difference from the ×4 output area-averaged {worst:F3}");
        Assert.True(worst <= 1, $"--scale {scale} differs from the averaged ×4 output by {worst:F3}");
    }

    [Fact]
    public void Tiled_run_matches_the_whole_image_run()
    {
        var dir = TestFiles.TempDir();
        var input = TestFiles.Fixture("cbers2b_pan_town_256.tif");
        var whole = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "whole.tif")) with { TileSize = 256 }).OutputPath, out _);
        var tiled = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "tiled.tif")) with { TileSize = 64 }).OutputPath, out _);
        var hard = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "hard.tif")) with { TileSize = 64, Overlap = 10, Blend = BlendMode.HardCrop }).OutputPath, out _);

        var feather = TestRasters.Psnr(whole, tiled);
        var crop = TestRasters.Psnr(whole, hard);
        output.WriteLine($"PSNR vs whole image: feathered tiles {feather:F2} dB, Real-ESRGAN hard crop (tile_pad 10) {crop:F2} dB");
        Assert.True(feather >= 60, $"feathered tiling only {feather:F2} dB");
        Assert.True(crop < feather);
    }

    [Fact]
    public void Dark_valid_pixels_never_come_out_as_nodata()
    {
        var dir = TestFiles.TempDir();
        // Atlantic off Olinda in Landsat 7's SWIR band 7, darkened ×1/8 as in a low-sun scene: valid values 1–3.
        var input = Path.Combine(dir, "dark_sea.tif");
        var window = new Window(248, 248, 96, 96);
        using (var src = RasterDataset.Open(TestFiles.Fixture("landsat7_etm_6band.tif")))
        {
            var values = new double[window.Width * window.Height];
            src.Read<double>(window, [6], values);
            for (var i = 0; i < values.Length; i++) values[i] = Math.Max(1, Math.Round(values[i] / 8));
            var profile = src.Profile with
            {
                Width = window.Width,
                Height = window.Height,
                Bands = [src.Profile.Bands[5]],
                Transform = src.Profile.Transform?.ForWindow(window),
            };
            using var dst = RasterDataset.Create(input, profile, new Dictionary<string, string>());
            dst.Write<double>(new Window(0, 0, window.Width, window.Height), [1], values);
        }
        var before = TestRasters.ReadAll(input, out _);
        Assert.True(before.Count(v => v <= 2) > before.Length / 4);

        var after = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "out.tif"))).OutputPath, out var q);
        Assert.Equal(0, q.Bands[0].Nodata);
        Assert.Equal(before.Length * 16, after.Length);
        Assert.DoesNotContain(after, v => v == 0);
        Assert.Contains(after, v => v == 1);
    }

    /// <param name="stripBudget">the default, or so small that the 2048-pixel output is blended in 512-pixel column chunks,
    /// whose pieces start right of column 0</param>
    [Theory]
    [InlineData(256L << 20)]
    [InlineData(1L)]
    public void Footprint_edge_gets_no_dark_fringe_and_nodata_stays_nodata(long stripBudget)
    {
        var dir = TestFiles.TempDir();
        var input = TestFiles.Fixture("cbers2b_pan_edge_512.tif");
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { StripBudgetBytes = stripBudget });
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out var q);
        int w = p.Width, h = p.Height, s = 4, ow = q.Width, oh = q.Height;

        // Distance (in output pixels, chessboard) to the nearest nodata output pixel, within 8.
        var nearNodata = new bool[ow * oh];
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
                if (src[y / s * w + x / s] == 0)
                    for (var dy = -8; dy <= 8; dy++)
                        for (var dx = -8; dx <= 8; dx++)
                        {
                            int yy = y + dy, xx = x + dx;
                            if (yy >= 0 && yy < oh && xx >= 0 && xx < ow) nearNodata[yy * ow + xx] = true;
                        }

        int band = 0, dark = 0;
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
            {
                var inputValid = src[y / s * w + x / s] != 0;
                var v = dst[y * ow + x];
                Assert.Equal(inputValid, v != 0);
                if (!inputValid || !nearNodata[y * ow + x]) continue;
                band++;
                if (v < 0.5 * Bicubic(src, w, h, (x + 0.5) / s - 0.5, (y + 0.5) / s - 0.5)) dark++;
            }
        output.WriteLine($"{band} valid output pixels within 8 px of the footprint edge, {dark} darker than half the bicubic input");
        Assert.True(band > 10_000);
        Assert.Equal(0, dark);
    }

    /// <summary>
    /// At ×3 in 16-column chunks (16-pixel blocks, the smallest strip budget) most pieces start inside an input pixel:
    /// output column 16 is the second of input column 5's three. Nodata must still land on exactly the output pixels
    /// whose input pixel (x ÷ 3, y ÷ 3) is nodata (0, the Byte default), in every piece: the ×4 test above cannot tell,
    /// since its pieces all start on a multiple of 4.
    /// </summary>
    [Fact]
    public void Nodata_is_restored_at_x3_where_column_chunks_start_inside_an_input_pixel()
    {
        using var dir = new TempFolder();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(264, 0, 64, 64), dir.File("edge.tif"));
        var result = Upscaler.Run(Options(input, dir.File("out.tif")) with
        {
            Scale = 3,
            StripBudgetBytes = 1,
            CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
        });
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal((192, 192, 16), (q.Width, q.Height, q.BlockWidth));

        // Input pixels cut by a chunk boundary that are nodata beside a valid one: a shifted restore shows there.
        var straddling = 0;
        for (var y = 0; y < p.Height; y++)
            for (var x = 0; x + 1 < p.Width; x++)
                if (((3 * x + 1) % 16 == 0 || (3 * x + 2) % 16 == 0) && (src[y * p.Width + x] == 0) != (src[y * p.Width + x + 1] == 0)) straddling++;
        output.WriteLine($"{straddling} nodata/valid input edges where a chunk starts inside the pixel");
        Assert.True(straddling > 0, "the crop must put the footprint edge across chunk boundaries");

        for (var y = 0; y < q.Height; y++)
            for (var x = 0; x < q.Width; x++)
                Assert.True(src[y / 3 * p.Width + x / 3] == 0 == (dst[y * q.Width + x] == 0), $"output ({x}, {y})");
    }

    /// <summary>Tiles that read nothing but nodata are not inferred, and their output is nodata.</summary>
    [Fact]
    public void All_nodata_tiles_are_skipped_without_inference()
    {
        var dir = TestFiles.TempDir();
        var input = TestFiles.Fixture("cbers2b_pan_edge_512.tif");
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { TileSize = 64, Overlap = 8 });
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out var q);

        var plan = TilePlan.Create(p.Width, p.Height, 64, 8);
        var empty = plan.Tiles.Where(t => Pixels(t.Read).All(i => src[i] == 0)).ToList();
        output.WriteLine($"{empty.Count} of {plan.Tiles.Count} tiles read only nodata");
        Assert.NotEmpty(empty);
        Assert.Equal(empty.Count, result.TilesSkipped);
        Assert.Equal(plan.Tiles.Count - empty.Count, result.TilesInferred);
        foreach (var t in empty)
        {
            Assert.All(Pixels(t.Core.Scale(4), q.Width), i => Assert.Equal(0, dst[i]));
        }

        IEnumerable<int> Pixels(Window w, int stride = 0) =>
            from y in Enumerable.Range(w.Row, w.Height) from x in Enumerable.Range(w.Column, w.Width) select y * (stride == 0 ? p.Width : stride) + x;
    }

    [Fact]
    public void Every_output_block_is_written_once_so_the_file_is_as_small_as_a_fresh_copy()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 64, 64), Path.Combine(dir, "in.tif"));
        var blocks = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16", ["COMPRESS"] = "DEFLATE" };
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { TileSize = 20, Overlap = 6, CreationOptions = blocks });

        // A copy written in one go, block row by block row, holds each compressed block exactly once.
        var pixels = TestRasters.ReadAll(result.OutputPath, out var profile);
        var copy = Path.Combine(dir, "copy.tif");
        using (var dst = RasterDataset.Create(copy, profile, new Dictionary<string, string>(blocks) { ["TILED"] = "YES", ["PREDICTOR"] = "2" }))
        {
            dst.Write<double>(new Window(0, 0, profile.Width, profile.Height), [1], pixels);
        }
        var written = new FileInfo(result.OutputPath).Length;
        var fresh = new FileInfo(copy).Length;
        Assert.True(written <= fresh * 1.005 + 512, $"output {written} bytes vs a fresh copy {fresh} bytes: blocks were rewritten");
    }

    [Fact]
    public void Existing_output_is_not_overwritten_without_permission()
    {
        var dir = TestFiles.TempDir();
        var outputPath = Path.Combine(dir, "out.tif");
        File.WriteAllText(outputPath, "precious");
        var options = Options(TestFiles.Fixture("geomatrix_rotated.tif"), outputPath);
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(options));
        Assert.Contains("out.tif", e.Message);
        Assert.Equal("precious", File.ReadAllText(outputPath));

        Upscaler.Run(options with { Overwrite = true });
        using var ds = RasterDataset.Open(outputPath);
        Assert.Equal(80, ds.Profile.Width);
    }

    [Fact]
    public void Output_path_equal_to_input_is_refused()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "in.tif");
        File.Copy(TestFiles.Fixture("geomatrix_rotated.tif"), input);
        var before = File.ReadAllBytes(input);
        Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(Options(input, input) with { Overwrite = true }));
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void Non_raster_input_fails_with_the_file_name_and_leaves_no_output()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "notes.txt");
        File.WriteAllText(input, "this is not an image");
        var outputPath = Path.Combine(dir, "out.tif");
        var e = Assert.ThrowsAny<SatSRException>(() => Upscaler.Run(Options(input, outputPath)));
        Assert.Contains("notes.txt", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "out.tif*"));
    }

    [Fact]
    public void Int16_nodata_is_kept_and_scaled_by_the_square_of_the_scale()
    {
        var dir = TestFiles.TempDir();
        // Landsat 8 red band (Int16, nodata −32768) with its top-left corner cut off as at a scene edge.
        var input = Path.Combine(dir, "edge.tif");
        using (var src = RasterDataset.Open(TestFiles.Fixture("landsat8_b4_int16_nodata.tif")))
        {
            var p = src.Profile;
            var values = new double[p.Width * p.Height];
            src.Read<double>(new Window(0, 0, p.Width, p.Height), [1], values);
            for (var y = 0; y < p.Height; y++)
                for (var x = 0; x < p.Width - y; x++)
                    if (x < 20 - y / 2) values[y * p.Width + x] = -32768;
            using var dst = RasterDataset.Create(input, p, new Dictionary<string, string>());
            dst.Write<double>(new Window(0, 0, p.Width, p.Height), [1], values);
        }
        var before = TestRasters.ReadAll(input, out _);
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")));
        var after = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal(RasterDataType.Int16, q.DataType);
        Assert.Equal(-32768, q.Bands[0].Nodata);
        var nodataIn = before.Count(v => v == -32768);
        Assert.True(nodataIn > 100);
        Assert.Equal(nodataIn * 16, after.Count(v => v == -32768));
        var valid = before.Where(v => v != -32768).ToArray();
        Assert.All(after.Where(v => v != -32768), v => Assert.InRange(v, valid.Min(), valid.Max()));
    }

    /// <summary>
    /// Bands with nodata values of their own (a VRT can say so; a GeoTIFF holds one value for all bands): each band's
    /// own value marks its nodata, and the output, a GeoTIFF, carries the first band's value in every band.
    /// </summary>
    [Fact]
    public void Per_band_nodata_values_are_honoured_and_written_as_one()
    {
        var dir = TestFiles.TempDir();
        double[] nodata = [-32768, -9999, 32767];
        var window = new Window(0, 0, 41, 36);
        var sources = new List<string>();
        using (var src = RasterDataset.Open(TestFiles.Fixture("landsat8_b4_int16_nodata.tif")))
        {
            var p = src.Profile with { Width = window.Width, Height = window.Height, Transform = src.Profile.Transform?.ForWindow(window) };
            var band = new double[window.Width * window.Height];
            src.Read<double>(window, [1], band);
            // The same footprint in three single-band files, each marking the outside with its own value.
            var cut = band.Select((v, i) => v == -32768 || i % window.Width < 12 - i / window.Width / 3).ToArray();
            foreach (var marker in nodata)
            {
                var path = Path.Combine(dir, $"band{sources.Count + 1}.tif");
                using var dst = RasterDataset.Create(path, p with { Bands = [p.Bands[0] with { Nodata = marker }] }, new Dictionary<string, string>());
                dst.Write<double>(new Window(0, 0, p.Width, p.Height), [1], band.Select((v, i) => cut[i] ? marker : v).ToArray());
                sources.Add(path);
            }
        }
        var input = Path.Combine(dir, "stack.vrt");
        File.WriteAllText(input, $"""
            <VRTDataset rasterXSize="{window.Width}" rasterYSize="{window.Height}">
            {string.Concat(sources.Select((f, i) => $"""
              <VRTRasterBand dataType="Int16" band="{i + 1}">
                <NoDataValue>{nodata[i]}</NoDataValue>
                <SimpleSource><SourceFilename relativeToVRT="0">{f}</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
              </VRTRasterBand>
            """))}
            </VRTDataset>
            """);
        var before = TestRasters.ReadAll(input, out var pin);
        Assert.Equal(nodata, pin.Bands.Select(b => b.Nodata!.Value));
        var after = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "out.tif"))).OutputPath, out var q);

        Assert.All(q.Bands, b => Assert.Equal(-32768, b.Nodata));
        int n = pin.Width * pin.Height, m = q.Width * q.Height;
        var outside = before.Take(n).Count(v => v == nodata[0]);
        Assert.True(outside > 50, $"{outside} nodata pixels");
        for (var b = 0; b < 3; b++)
        {
            Assert.Equal(outside, before.Skip(b * n).Take(n).Count(v => v == nodata[b]));
            Assert.Equal(outside * 16, after.Skip(b * m).Take(m).Count(v => v == -32768));
            // The other values were nodata markers, not data: they must not turn up as pixels.
            Assert.DoesNotContain(after.Skip(b * m).Take(m), v => v is -9999 or 32767);
        }
    }

    /// <summary>
    /// A pixel is nodata only when all its bands are: in an RGB crop, pixels with one or two bands at the nodata value 0
    /// are dark scene pixels and stay valid in every band; only those with all three at 0 are nodata (×4, nearest).
    /// </summary>
    [Theory]
    [InlineData(false)]  // no nodata declared: 8-bit 0 by convention, judged from the values
    [InlineData(true)]   // nodata 0 declared: judged from GDAL's per-band masks
    public void A_pixel_is_nodata_only_where_all_its_bands_are(bool declared)
    {
        using var dir = new TempFolder();
        const int w = 40, h = 40, s = 4;
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, w, h), dir.File("in.tif"),
            declared ? p => p with { Bands = p.Bands.Select(b => b with { Nodata = 0 }).ToList() } : null);
        Assert.DoesNotContain(TestRasters.ReadAll(input, out _), v => v == 0);

        // Which bands of pixel (x, y) are set to 0: blocks with all, one or two bands, and scattered single pixels.
        static bool Zeroed(int band, int x, int y) =>
            (x is >= 4 and < 12 && y is >= 4 and < 12)                 // all three bands
            || (x is >= 20 and < 28 && y is >= 4 and < 12 && band == 0)  // red only
            || (x is >= 4 and < 12 && y is >= 20 and < 28 && band > 0)   // green and blue
            || (x * 5 + y * 3) % 17 == 0                                 // isolated pixels, all bands
            || ((x * 7 + y) % 11 == 0 && band == (x + y) % 3);           // isolated pixels, one band
        TestRasters.Edit(input, (b, x, y, v) => Zeroed(b, x, y) ? 0 : v);
        var before = TestRasters.ReadAll(input, out _);
        bool AllZero(int x, int y) => Enumerable.Range(0, 3).All(b => before[(b * h + y) * w + x] == 0);
        var some = Enumerable.Range(0, w * h).Count(i => !AllZero(i % w, i / w) && Enumerable.Range(0, 3).Any(b => before[b * w * h + i] == 0));
        var all = Enumerable.Range(0, w * h).Count(i => AllZero(i % w, i / w));
        Assert.True(some > 150 && all > 100, $"{some} pixels with some bands at 0, {all} with all");

        var after = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("out.tif"))).OutputPath, out var q);
        Assert.All(q.Bands, band => Assert.Equal(0, band.Nodata));
        int ow = w * s, oh = h * s, misjudged = 0;
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
                for (var b = 0; b < 3; b++)
                    if ((after[(b * oh + y) * ow + x] == 0) != AllZero(x / s, y / s)) misjudged++;
        Assert.Equal(0, misjudged);
        Assert.Equal(all * s * s * 3, after.Count(v => v == 0));
    }

    [Fact]
    public void Invalid_options_are_refused_before_any_file_is_touched()
    {
        var dir = TestFiles.TempDir();
        var o = Options(TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"));
        Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(o with { TileSize = 0 }));
        Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(o with { TileSize = 32, Overlap = 32 }));
        Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(o with { Scale = 5 }));
        Assert.Empty(Directory.GetFiles(dir));
    }

    /// <summary>Keys' bicubic (a = −0.5) at fractional input coordinates, edges clamped.</summary>
    private static double Bicubic(double[] img, int w, int h, double fx, double fy)
    {
        static double K(double t)
        {
            t = Math.Abs(t);
            return t <= 1 ? 1.5 * t * t * t - 2.5 * t * t + 1 : t < 2 ? -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2 : 0;
        }
        int x0 = (int)Math.Floor(fx), y0 = (int)Math.Floor(fy);
        double sum = 0;
        for (var j = -1; j <= 2; j++)
            for (var i = -1; i <= 2; i++)
            {
                int xx = Math.Clamp(x0 + i, 0, w - 1), yy = Math.Clamp(y0 + j, 0, h - 1);
                sum += img[yy * w + xx] * K(fx - (x0 + i)) * K(fy - (y0 + j));
            }
        return sum;
    }
}
