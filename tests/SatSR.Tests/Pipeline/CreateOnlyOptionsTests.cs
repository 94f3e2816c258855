using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Raster;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// GTiff creation options that GDAL 3.6 applies only while it creates a file (ZLEVEL, WEBP_LOSSLESS, …): the pipeline
/// writes in update mode so that a killed run resumes, where GDAL forgets them; they must still reach the output.
/// </summary>
public class CreateOnlyOptionsTests
{
    private static UpscaleOptions Run(string input, string dir, string name, Dictionary<string, string> creation) => new()
    {
        InputPath = input,
        OutputPath = Path.Combine(dir, name),
        Model = TestModels.PixelRepeat,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
        Overviews = [2],
        CreationOptions = creation,
    };

    [Fact]
    public void Zlevel_reaches_the_file_with_the_same_pixels_and_overviews()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 128, 128), Path.Combine(dir, "in.tif"));
        var fast = Upscaler.Run(Run(input, dir, "fast.tif", new() { ["ZLEVEL"] = "1" })).OutputPath;
        var small = Upscaler.Run(Run(input, dir, "small.tif", new() { ["ZLEVEL"] = "9" })).OutputPath;
        var plain = Upscaler.Run(Run(input, dir, "plain.tif", [])).OutputPath;

        // Level 1 is libdeflate's fastest, 9 its tightest: if either were dropped, both files would be level 6's bytes.
        Assert.True(new FileInfo(fast).Length > new FileInfo(small).Length * 1.05, $"{new FileInfo(fast).Length} vs {new FileInfo(small).Length} bytes");
        foreach (var path in new[] { fast, small })
        {
            Assert.Equal(TestRasters.ReadAll(plain, out _), TestRasters.ReadAll(path, out _));
            Assert.Equal(OverviewTests.ReadOverview(plain, 0), OverviewTests.ReadOverview(path, 0));
        }
        // The streamed file the copy was made from is gone.
        Assert.Equal(["fast.tif", "in.tif", "plain.tif", "small.tif"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// The codec the README offers for speed over size is recorded in the file, so it is written in the pass: no copy,
    /// SatSR's predictor kept, the same pixels as the default codec's.
    /// </summary>
    [Fact]
    public void Lzw_is_written_in_the_pass_with_the_predictor_and_the_same_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(100, 100, 64, 64), Path.Combine(dir, "in.tif"));
        var lzw = Upscaler.Run(Run(input, dir, "lzw.tif", new() { ["COMPRESS"] = "LZW" }));
        var plain = Upscaler.Run(Run(input, dir, "plain.tif", [])).OutputPath;

        Assert.Equal(TimeSpan.Zero, lzw.CopyTime);
        GdalPython.Run("""
            s = gdal.Open(sys.argv[1]).GetMetadata('IMAGE_STRUCTURE')
            assert (s.get('COMPRESSION'), s.get('PREDICTOR')) == ('LZW', '2'), s
            """, lzw.OutputPath);
        Assert.Equal(TestRasters.ReadAll(plain, out _), TestRasters.ReadAll(lzw.OutputPath, out _));
        Assert.Equal(OverviewTests.ReadOverview(plain, 0), OverviewTests.ReadOverview(lzw.OutputPath, 0));
    }

    [Fact]
    public void Lercs_error_bound_reaches_the_file()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(100, 100, 64, 64), Path.Combine(dir, "in.tif"));
        var lerc = Upscaler.Run(Run(input, dir, "lerc.tif", new() { ["COMPRESS"] = "LERC", ["MAX_Z_ERROR"] = "8" })).OutputPath;
        var exact = Upscaler.Run(Run(input, dir, "exact.tif", [])).OutputPath;

        var expected = TestRasters.ReadAll(exact, out _);
        var errors = TestRasters.ReadAll(lerc, out _).Zip(expected, (a, b) => Math.Abs(a - b)).ToList();
        // Within the bound asked for, and not exact: LERC without MAX_Z_ERROR (what an update-mode write gets) is lossless.
        Assert.True(errors.Max() <= 8, $"largest error {errors.Max()}");
        Assert.True(errors.Count(e => e > 0) > errors.Count / 4, $"{errors.Count(e => e > 0)} of {errors.Count} values moved");
    }

    /// <summary>
    /// Near nodata, a LERC error bound would move valid values onto the nodata value (holes in GIS): validity goes into
    /// a mask band instead, for every type LERC takes.
    /// </summary>
    [Theory]
    [InlineData("landsat5_b4_nodata255.tif", 255.0, -1)]      // Byte, nodata 255: valid 247–254 beside it
    [InlineData("landsat8_b4_int16_nodata.tif", -32768.0, 1)] // Int16, nodata −32768: valid −32767 … −32760
    public void A_lerc_error_bound_keeps_validity_in_a_mask(string fixture, double nodata, int inward)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop(fixture, new Window(0, 0, 32, 32), Path.Combine(dir, "in.tif"));
        // The top-left corner nodata; the next diagonal band valid, within 8 of nodata.
        TestRasters.Edit(input, (_, x, y, v) => x + y < 12 ? nodata : x + y < 24 ? nodata + inward * (1 + (x + 3 * y) % 8) : v);
        var lerc = Upscaler.Run(Run(input, dir, "lerc.tif", new() { ["COMPRESS"] = "LERC", ["MAX_Z_ERROR"] = "8" })).OutputPath;
        var exact = Upscaler.Run(Run(input, dir, "exact.tif", [])).OutputPath;

        var source = TestRasters.ReadAll(input, out var p);
        var expected = TestRasters.ReadAll(exact, out _);
        var actual = TestRasters.ReadAll(lerc, out var q);
        Assert.Equal((null, MaskFlags.PerDataset), (q.Bands[0].Nodata, q.Bands[0].MaskFlags));
        var mask = new byte[q.Width * q.Height];
        using (var ds = RasterDataset.Open(lerc)) ds.ReadMask(new Window(0, 0, q.Width, q.Height), 1, mask);
        for (var i = 0; i < mask.Length; i++)
        {
            // ×4 pixel repeat: output pixel (x, y) is input pixel (x / 4, y / 4).
            var valid = source[i / q.Width / 4 * p.Width + i % q.Width / 4] != nodata;
            Assert.Equal(valid ? 255 : 0, mask[i]);
            if (valid) Assert.InRange(actual[i] - expected[i], -8, 8);
        }
    }
}
