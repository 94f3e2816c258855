using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Raster;
using SatSR.Tests.Models;
using SatSR.Tests.Pixels;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary><c>--outscale F</c>: any real factor ≥ 1, the network's integer output resampled to round(W·F)×round(H·F).</summary>
public class OutScaleTests(ITestOutputHelper output)
{
    private static UpscaleOptions Options(string input, string outputPath) => new()
    {
        InputPath = input,
        OutputPath = outputPath,
        Model = TestModels.GeneralX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
    };

    /// <summary>The CBERS footprint edge: 48×80 pixels with the black (nodata) wedge on the left.</summary>
    private static string EdgeInput(string dir) =>
        TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(280, 0, 48, 80), Path.Combine(dir, "edge.tif"));

    /// <summary>Only the input and the final output are left in the folder: no intermediate, partial or journal.</summary>
    private static void AssertOnlyFiles(string dir, params string[] names) =>
        Assert.Equal(names.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());

    [Theory]
    [InlineData("geomatrix_rotated.tif", 20, 20, 2.5, 50, 50)]
    [InlineData("geomatrix_rotated.tif", 20, 20, 1.5, 30, 30)]
    [InlineData("cbers2b_pan_town_256.tif", 30, 21, 2.5, 75, 53)]   // 52.5 rounds up: the row factor is 53/21
    [InlineData("cbers2b_pan_town_256.tif", 30, 21, 5, 150, 105)]   // past the model's ×4
    public void Size_is_rounded_and_the_geotransform_follows_the_real_factors(string fixture, int w, int h, double f, int ow, int oh)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop(fixture, new Window(0, 0, w, h), Path.Combine(dir, "in.tif"));
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { OutScale = f });

        using var src = RasterDataset.Open(input);
        using var dst = RasterDataset.Open(result.OutputPath);
        Assert.Equal((ow, oh), (dst.Profile.Width, dst.Profile.Height));
        Assert.Equal(((double)ow / w, (double)oh / h), (result.ScaleX, result.ScaleY));
        var t = src.Profile.Transform!.Value;
        var expected = new GeoTransform(t.C0, t.C1 * w / ow, t.C2 * h / oh, t.C3, t.C4 * w / ow, t.C5 * h / oh);
        Assert.Equal(expected.ToArray(), dst.Profile.Transform!.Value.ToArray(), (x, y) => Math.Abs(x - y) < 1e-9);
        if (fixture == "geomatrix_rotated.tif") Assert.NotEqual(0, t.C2);
        // The far corner is the same map point: the output covers exactly the input's extent.
        var (x0, y0) = t.Apply(w, h);
        var (x1, y1) = dst.Profile.Transform!.Value.Apply(ow, oh);
        Assert.Equal(x0, x1, 6);
        Assert.Equal(y0, y1, 6);
        Assert.Equal(src.Profile.Projection, dst.Profile.Projection);
        Assert.Equal((512, 512), (dst.Profile.BlockWidth, dst.Profile.BlockHeight));
        AssertOnlyFiles(dir, "in.tif", "out.tif");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void An_integer_factor_is_that_scale_bit_for_bit(int f)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(10, 20, 40, 30), Path.Combine(dir, "in.tif"));
        var scaled = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "scale.tif")) with { Scale = f }).OutputPath, out var p);
        var outscaled = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "outscale.tif")) with { OutScale = f }).OutputPath, out var q);
        Assert.Equal(scaled, outscaled);
        Assert.Equal(p.Transform, q.Transform);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(1.5)]
    [InlineData(5)]
    public void Nodata_is_the_input_s_nodata_nearest_neighbour_and_no_valid_pixel_is_nodata(double f)
    {
        var dir = TestFiles.TempDir();
        var input = EdgeInput(dir);
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { OutScale = f });
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out var q);
        int w = p.Width, h = p.Height, ow = q.Width, oh = q.Height;
        Assert.True(src.Count(v => v == 0) > 500 && src.Count(v => v != 0) > 500, "the crop must hold both sides of the edge");
        Assert.Equal(0, q.Bands[0].Nodata);

        int expectedNodata = 0, mismatched = 0;
        for (var y = 0; y < oh; y++)
            for (var x = 0; x < ow; x++)
            {
                // The input pixel under the output pixel's centre, computed here independently of the library.
                int ix = (int)Math.Floor((x + 0.5) * w / ow), iy = (int)Math.Floor((y + 0.5) * h / oh);
                var nodata = src[iy * w + ix] == 0;
                expectedNodata += nodata ? 1 : 0;
                if (nodata != (dst[y * ow + x] == 0)) mismatched++;
            }
        output.WriteLine($"×{f}: {ow}×{oh}, {expectedNodata} nodata pixels expected, {dst.Count(v => v == 0)} written, {mismatched} misplaced");
        Assert.Equal(0, mismatched);
        Assert.Equal(expectedNodata, dst.Count(v => v == 0));
        AssertOnlyFiles(dir, "edge.tif", "out.tif");
    }

    [Fact]
    public void Dark_valid_pixels_stay_valid_through_the_lanczos_pass()
    {
        // A dark scene (valid 1–4) next to nodata, enlarged past the model's ×4: Lanczos' undershoot must not reach 0.
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_edge_512.tif", new Window(280, 0, 48, 80), Path.Combine(dir, "dark.tif"),
            values: v => v == 0 ? 0 : Math.Clamp(Math.Round(v / 40), 1, 4));
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { OutScale = 5 });
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out _);
        Assert.Equal(src.Count(v => v == 0) * 25, dst.Count(v => v == 0));
        Assert.Contains(dst, v => v == 1);
    }

    /// <summary>
    /// Each --outscale output, area-averaged back to the input's size, is the input; and it is the ×4 output resampled
    /// to its size (area shrinking, Lanczos-3 enlarging), both computed here from the formulas in <see cref="ReferenceResample"/>.
    /// </summary>
    [Fact]
    public void Averaging_the_output_back_down_gives_the_input()
    {
        using var dir = new TempFolder();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(64, 64, 60, 60), dir.File("in.tif"));
        var src = TestRasters.ReadAll(input, out _);
        var x4 = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("x4.tif"))).OutputPath, out _);
        foreach (var f in new[] { 1.5, 2.5, 3.5, 4.0, 5.0, 6.25 })
        {
            var result = Upscaler.Run(Options(input, dir.File($"f{f}.tif")) with { OutScale = f });
            var dst = TestRasters.ReadAll(result.OutputPath, out var q);
            var psnr = TestRasters.Psnr(src, ReferenceResample.Resample(dst, null, q.Width, q.Height, 60, 60));

            // For F < 3 the job goes through ×ceil(F), one area-averaging more; from 3 up it resamples the ×4 output, the
            // same arithmetic, so only rounding may differ (and valid pixels are never 0, the nodata value).
            var direct = ReferenceResample.Resample(x4, null, 240, 240, q.Width, q.Height)
                .Select(v => Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 1, 255)).ToArray();
            var vsDirect = TestRasters.Psnr(direct, dst);
            var worst = direct.Zip(dst, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"×{f}: {q.Width}×{q.Height}, area-averaged back to the input {psnr:F2} dB, vs the ×4 output resampled {vsDirect:F2} dB (largest difference {worst})");
            // Measured: 34.7 dB at ×1.5, 35.3–35.5 dB from ×2.5 up (the integer ×4 output itself: 35.5 dB); vs the
            // resampled ×4 output 49.6 dB at ×1.5, 51.3 dB at ×2.5.
            Assert.True(psnr >= 33, $"×{f}: only {psnr:F2} dB against the input");
            if (f < 3) Assert.True(vsDirect >= 45, $"×{f}: only {vsDirect:F2} dB against the resampled ×4 output");
            else Assert.True(worst <= 1, $"×{f}: {worst} grey levels from the resampled ×4 output");
        }
    }

    /// <summary>Throws (not cancels) once the resample pass reports, as a failing disk would.</summary>
    private sealed class FailWhileResampling : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            if (value.Stage == UpscaleStage.Resample) throw new IOException("simulated failure");
        }
    }

    [Fact]
    public void A_failure_while_resampling_leaves_nothing_behind()
    {
        var dir = TestFiles.TempDir();
        var input = EdgeInput(dir);
        var options = Options(input, Path.Combine(dir, "out.tif")) with { OutScale = 2.5 };
        Assert.Throws<IOException>(() => Upscaler.Run(options, new FailWhileResampling()));
        AssertOnlyFiles(dir, "edge.tif");
    }

    /// <summary>Cancels once <paramref name="tiles"/> tiles are inferred, or at the first resample report when null.</summary>
    private sealed class CancelAt(int? tiles, CancellationTokenSource cts) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            if (tiles is { } t ? value.Stage == UpscaleStage.Infer && value.TilesDone >= t : value.Stage == UpscaleStage.Resample) cts.Cancel();
        }
    }

    /// <summary>
    /// A reference ×2.5 run of a 64×64 crop, then the same run cancelled after <paramref name="tiles"/> inferred
    /// tiles (null: in the resample pass). Blocks of 16, so the resample pass writes several pieces and can be stopped.
    /// </summary>
    private static (string Dir, UpscaleOptions Options, double[] Reference) Interrupted(int? tiles)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 64, 64), Path.Combine(dir, "in.tif"));
        var small = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" };
        var options = Options(input, Path.Combine(dir, "out.tif")) with { OutScale = 2.5, TileSize = 16, Overlap = 8, CreationOptions = small };
        var reference = TestRasters.ReadAll(Upscaler.Run(options with { OutputPath = Path.Combine(dir, "reference.tif") }).OutputPath, out _);
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, new CancelAt(tiles, cts), cts.Token));
        return (dir, options, reference);
    }

    [Theory]
    [InlineData(12)]     // while inferring: the intermediate's finished windows are kept
    [InlineData(null)]   // while resampling: the finished intermediate is kept, the half-written output goes
    public void An_interrupted_run_resumes_to_the_same_pixels(int? tiles)
    {
        var (dir, options, reference) = Interrupted(tiles);
        AssertOnlyFiles(dir, "in.tif", "reference.tif", "out.tif.x3.partial", "out.tif.x3.partial.journal");
        var error = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(options));
        Assert.Contains("add Resume to continue it", error.Message);

        var result = Upscaler.Run(options with { Resume = true });
        Assert.Equal(reference, TestRasters.ReadAll(result.OutputPath, out _));
        if (tiles is null) Assert.Equal(0, result.TilesInferred);
        else Assert.InRange(result.TilesInferred, 1, 15);
        AssertOnlyFiles(dir, "in.tif", "reference.tif", "out.tif");
    }

    [Fact]
    public void Invalid_factors_are_refused_before_any_file_is_touched()
    {
        var dir = TestFiles.TempDir();
        var o = Options(TestFiles.Fixture("geomatrix_rotated.tif"), Path.Combine(dir, "out.tif"));
        foreach (var f in new[] { 0.5, 0, -2, double.NaN, double.PositiveInfinity })
        {
            var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(o with { OutScale = f }));
            Assert.StartsWith("OutScale must be a number ≥ 1", e.Message);
        }
        Assert.Contains("OutScale", Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(o with { OutScale = 2, Scale = 2 })).Message);
        Assert.Empty(Directory.GetFiles(dir));
    }
}
