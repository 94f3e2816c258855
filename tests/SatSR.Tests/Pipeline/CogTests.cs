using System.Diagnostics;
using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Raster;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// <c>--format cog</c>, checked by GDAL's own COG validator; and lossy compression, whose validity goes into an
/// internal mask because JPEG changes the values a nodata value would mark.
/// </summary>
public class CogTests(ITestOutputHelper output)
{
    private static UpscaleOptions Cog(string input, string outputPath) =>
        TestModels.GeneralX4OnCpu(input, outputPath) with { Format = OutputFormat.Cog };

    [Fact]
    public void Cog_passes_GDALs_validator_with_the_overviews_and_blocks_asked_for()
    {
        var dir = TestFiles.TempDir();
        var options = Cog(OverviewTests.EdgeInput(dir, 128), Path.Combine(dir, "out.tif")) with
        {
            // GTiff's spelling of the block size maps onto COG's BLOCKSIZE.
            CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "256", ["BLOCKYSIZE"] = "256" },
        };
        var result = Upscaler.Run(options);

        var (valid, report) = Validate(result.OutputPath);
        output.WriteLine(report);
        Assert.True(valid, report);
        using (var ds = RasterDataset.Open(result.OutputPath))
        {
            Assert.Equal((256, 256), (ds.Profile.BlockWidth, ds.Profile.BlockHeight));
            Assert.Equal([(256, 256)], ds.OverviewSizes);
            Assert.Equal(0, ds.Profile.Bands[0].Nodata);
        }
        var full = TestRasters.ReadAll(result.OutputPath, out var profile);
        Assert.Equal(OverviewTests.ValidMeans(full, profile.Width, profile.Height, nodata: 0).Means, OverviewTests.ReadOverview(result.OutputPath, 0));
        Assert.True(result.CopyTime > TimeSpan.Zero);
        Assert.Equal(["edge.tif", "out.tif"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData(OutputFormat.GTiff)]
    [InlineData(OutputFormat.Cog)]
    public void Jpeg_output_marks_nodata_with_an_internal_mask_instead_of_a_value(OutputFormat format)
    {
        var dir = TestFiles.TempDir();
        var input = OverviewTests.EdgeInput(dir, 128);
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(input, Path.Combine(dir, "out.tif")) with
        {
            Format = format,
            CreationOptions = new Dictionary<string, string> { ["COMPRESS"] = "JPEG" },
            // At ×8 an overview pixel covers 2×2 input pixels, so along the edge its block is part valid, part not.
            Overviews = [8],
        });

        var src = TestRasters.ReadAll(input, out var p);
        var values = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Null(q.Bands[0].Nodata);
        Assert.Equal(MaskFlags.PerDataset, q.Bands[0].MaskFlags);
        var mask = new byte[q.Width * q.Height];
        using (var ds = RasterDataset.Open(result.OutputPath))
        {
            ds.ReadMask(new Window(0, 0, q.Width, q.Height), 1, mask);
        }
        var changed = 0;
        for (var y = 0; y < q.Height; y++)
        {
            for (var x = 0; x < q.Width; x++)
            {
                // Nodata exactly where the input pixel under the output pixel is (×4, nearest).
                var inputValid = src[y / 4 * p.Width + x / 4] != 0;
                Assert.Equal(inputValid ? 255 : 0, mask[y * q.Width + x]);
                if (!inputValid && values[y * q.Width + x] != 0) changed++;
            }
        }
        output.WriteLine($"{changed} nodata pixels hold another value than 0 after JPEG");
        Assert.True(changed > 0, "JPEG would have kept a nodata value: the mask would not be needed");

        // The mask's overview is nearest: each 8×8 block's top-left pixel, where a mean would give partial values.
        int ow = q.Width / 8, oh = q.Height / 8, mixed = 0;
        var overviewMask = new byte[ow * oh];
        using (var level = RasterDataset.OpenOverview(result.OutputPath, 0))
        {
            level.ReadMask(new Window(0, 0, ow, oh), 1, overviewMask);
        }
        for (var i = 0; i < overviewMask.Length; i++)
        {
            int x = i % ow, y = i / ow;
            if (mask[8 * y * q.Width + 8 * x] != mask[(8 * y + 7) * q.Width + 8 * x + 7]) mixed++;
            Assert.Equal(mask[8 * y * q.Width + 8 * x], overviewMask[i]);
        }
        Assert.True(mixed > 0);
        Assert.Equal(format == OutputFormat.Cog, Validate(result.OutputPath).Valid);
    }

    [Theory]
    [InlineData("cbers2b_pan_town_256.tif", "INTERLEAVE", "BAND", "INTERLEAVE=BAND")]
    [InlineData("cbers2b_pan_town_256.tif", "NO_SUCH_OPTION", "1", "NO_SUCH_OPTION")]
    [InlineData("cbers2b_pan_town_256.tif", "OVERVIEWS", "NONE", "give the overviews with Overviews")]
    [InlineData("cbers2b_pan_town_256.tif", "COMPRESS", "WEBP", "takes 3–4 bands")]
    [InlineData("landsat8_b4_int16_nodata.tif", "COMPRESS", "JPEG", "needs 8-bit data")]
    public void Options_the_cog_cannot_take_are_refused_with_one_line(string fixture, string key, string value, string mention)
    {
        var dir = TestFiles.TempDir();
        var options = Cog(TestFiles.Fixture(fixture), Path.Combine(dir, "out.tif")) with
        {
            CreationOptions = new Dictionary<string, string> { [key] = value },
        };
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(options));
        Assert.Contains(mention, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Interrupted_cog_copy_leaves_no_output_and_resumes_from_the_streamed_file()
    {
        var dir = TestFiles.TempDir();
        var options = Cog(OverviewTests.EdgeInput(dir), Path.Combine(dir, "out.tif"));
        using var cts = new CancellationTokenSource();
        var stop = new OverviewTests.Progress(p => { if (p.Stage == UpscaleStage.Copy) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, stop, cts.Token));
        Assert.Equal(["edge.tif", "out.tif.gtiff.partial", "out.tif.gtiff.partial.journal"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());

        var result = Upscaler.Run(options with { Resume = true });
        Assert.Equal(0, result.TilesInferred);
        Assert.True(Validate(result.OutputPath).Valid);
        Assert.Equal(["edge.tif", "out.tif"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// GDAL's validator, from python3-gdal (tools/test installs it): Debian's own python3, which has the package even
    /// when another python3 comes first on the PATH.
    /// </summary>
    private static (bool Valid, string Report) Validate(string path)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python, ["-m", "osgeo_utils.samples.validate_cloud_optimized_geotiff", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var report = stdout.Result + stderr;
        Assert.False(report.Contains("No module named", StringComparison.Ordinal), $"GDAL's COG validator is missing (apt-get install python3-gdal, or run tools/test): {report}");
        return (process.ExitCode == 0 && report.Contains("is a valid cloud optimized GeoTIFF", StringComparison.Ordinal), report);
    }
}
