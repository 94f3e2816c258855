using SatSR.Cli;
using SatSR.Raster;
using SatSR.Tests.Models;
using Spectre.Console.Testing;

namespace SatSR.Tests.Cli;

/// <summary>The command line end to end, with Spectre's test console standing in for the terminal.</summary>
public class CliTests
{
    internal static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var console = new TestConsole();
        var error = new TestConsole();
        console.Profile.Width = error.Profile.Width = 400;
        var exit = await SatsrApp.RunAsync(args, console, error);
        return (exit, console.Output, error.Output);
    }

    private static void AssertOneLineError(string error, string mustContain)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error:", lines[0]);
        Assert.Contains(mustContain, lines[0]);
    }

    [Fact]
    public async Task Upscale_writes_a_georeferenced_output_and_says_where()
    {
        using var dir = new TempFolder();
        var output = dir.File("out.tif");
        var (exit, text, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), output, "--device", "cpu", "--tile", "8", "--overlap", "2");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("out.tif", text);
        using (var written = RasterDataset.Open(output))
        {
            var p = written.Profile;
            Assert.Equal((80, 80), (p.Width, p.Height));
            // The input (gdalinfo): origin (1841001.75, 1144003.25), pixel 1.5 × −1.5, rotation −5, −5, WGS 84 / UTM 11N.
            // ×4: the same origin, all four linear terms ÷ 4; the same CRS.
            Assert.Equal([1841001.75, 0.375, -1.25, 1144003.25, -1.25, -0.375], p.Transform!.Value.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
            Assert.NotNull(p.Projection);
            Assert.Contains("PROJCS[\"WGS 84 / UTM zone 11N\"", p.Projection);
            Assert.EndsWith("AUTHORITY[\"EPSG\",\"32611\"]]", p.Projection);
        }
        // Not a terminal: progress comes as plain lines with tiles, rate and time left, ending at 100 %.
        Assert.Matches(@"geomatrix_rotated\.tif: \d+/(\d+) tiles \(\d+ %\), [\d.]+ MP/s, ETA \d", text);
        Assert.Matches(@"geomatrix_rotated\.tif: (\d+)/\1 tiles \(100 %\)", text);
    }

    [Fact]
    public async Task Missing_input_is_one_line_naming_the_file()
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", Path.Combine(dir, "missing.tif"), Path.Combine(dir, "out.tif"));
        Assert.NotEqual(0, exit);
        AssertOneLineError(error, "missing.tif");
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Non_raster_input_fails_cleanly_with_no_output_file()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "readme.txt");
        File.WriteAllText(input, "not a raster");
        var (exit, _, error) = await Run("upscale", input, Path.Combine(dir, "out.tif"));
        Assert.Equal(1, exit);
        AssertOneLineError(error, "readme.txt");
        Assert.Equal([input], Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Existing_output_needs_overwrite()
    {
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "out.tif");
        File.WriteAllText(output, "keep me");
        var (exit, _, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), output);
        Assert.Equal(1, exit);
        AssertOneLineError(error, "--overwrite");
        Assert.Equal("keep me", File.ReadAllText(output));
    }

    [Theory]
    [InlineData("--tile", "0", "--tile")]
    [InlineData("--scale", "5", "--scale")]
    [InlineData("--overlap", "-1", "--overlap")]
    [InlineData("--batch", "0", "--batch")]
    [InlineData("--queue-depth", "0", "--queue-depth")]
    [InlineData("--memory", "lots", "--memory lots")]
    [InlineData("--memory", "1M", "--memory")]
    [InlineData("--nodata", "dark", "--nodata")]
    [InlineData("--co", "COMPRESS", "--co")]
    [InlineData("--model", "no-such-model", "realesr-general-x4v3")]
    [InlineData("--bands", "r,g,b", "--bands r,g,b")]
    [InlineData("--bands", "0", "--bands 0")]
    [InlineData("--bands", "1,1", "--bands 1,1")]
    [InlineData("--bands", "2", "--bands 2")]
    [InlineData("--range", "5", "--range 5")]
    [InlineData("--range", "300,10", "--range 300,10")]
    [InlineData("--range", "x:1,2", "--range x:1,2")]
    [InlineData("--range", "0:1,2", "--range 0:1,2")]
    [InlineData("--outscale", "0.5", "--outscale")]
    [InlineData("--outscale", "0", "--outscale")]
    [InlineData("--outscale", "-3", "--outscale")]
    [InlineData("--outscale", "NaN", "--outscale")]
    [InlineData("--overviews", "1", "--overviews 1")]
    [InlineData("--overviews", "2,2", "--overviews 2,2")]
    [InlineData("--overviews", "2,x", "--overviews 2,x")]
    [InlineData("--co", "NO_SUCH_OPTION=1", "NO_SUCH_OPTION")]
    public async Task Invalid_option_values_are_refused_before_any_file_is_written(string option, string value, string mention)
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"), option, value);
        Assert.Equal(1, exit);
        AssertOneLineError(error, mention);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task An_overlap_as_large_as_the_given_tile_is_refused()
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"), "--tile", "64", "--overlap", "64");
        Assert.Equal(1, exit);
        AssertOneLineError(error, "--overlap (64) must be smaller than --tile (64)");
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Outscale_and_scale_together_are_refused()
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"), "--outscale", "2", "--scale", "2");
        Assert.Equal(1, exit);
        AssertOneLineError(error, "--outscale");
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Outscale_writes_the_real_factor_and_leaves_no_temporary_file()
    {
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "out.tif");
        var (exit, text, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), output, "--device", "cpu", "--outscale", "2.5");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("50×50, ×2.5,", text);
        Assert.Equal([output], Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Cog_format_reports_overviews_and_the_copy_and_leaves_only_the_output()
    {
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "out.tif");
        var (exit, text, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), output, "--device", "cpu",
            "--format", "cog", "--overviews", "2,4");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        // Overviews are built in the pass that writes the pixels: no step of their own to report, only in the file.
        Assert.DoesNotMatch(@"\(overviews\)", text);
        Assert.Matches(@"geomatrix_rotated\.tif \(copy\): 100 %", text);
        Assert.Equal([output], Directory.GetFiles(dir));
        var (_, info, _) = await Run("info", output);
        Assert.Matches(@"overviews +40 × 40, 20 × 20", info);
    }

    [Fact]
    public async Task Consistency_reports_the_psnr_before_and_after()
    {
        var dir = TestFiles.TempDir();
        var (exit, text, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"),
            "--device", "cpu", "--consistency", "--range", "0,255", "--bands", "1");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Matches(@"consistency PSNR \d+\.\d dB from the network, \d+\.\d dB as written \(consistency correction on\)", text);
    }

    [Fact]
    public async Task Unavailable_gpu_device_is_a_clear_error()
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"), "--device", "cuda");
        Assert.Equal(1, exit);
        AssertOneLineError(error, "--device cuda is not available");
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Info_describes_the_raster()
    {
        var (exit, text, _) = await Run("info", TestFiles.Fixture("landsat8_b4_int16_nodata.tif"));
        Assert.Equal(0, exit);
        Assert.Contains("41 × 41", text);
        Assert.Contains("Int16", text);
        Assert.Contains("-32768", text);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var dir = TestFiles.TempDir();
        var (exit, _, error) = await Run("upscale", Path.Combine(dir, "missing.tif"), Path.Combine(dir, "out.tif"), "--verbose");
        Assert.Equal(1, exit);
        Assert.Contains("missing.tif", error);
        Assert.True(error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 1);
    }
}
