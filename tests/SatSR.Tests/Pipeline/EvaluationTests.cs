using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Quality;
using SatSR.Raster;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// <c>satsr eval</c>'s protocol on the CBERS sample. Baseline figures were computed independently by
/// tools/references/quality_reference.py (block mean or scipy Gaussian, PIL bicubic/Lanczos, scikit-image PSNR/SSIM):
/// <c>/usr/bin/python3 tools/references/quality_reference.py</c>.
/// </summary>
public class EvaluationTests
{
    private const string Sample = "cbers2b_pan_edge_512.tif";   // 512×512 Byte, 0 outside the scene's footprint

    private static EvaluationOptions Options(Window region, DegradationKind degradation, string work) => new()
    {
        ReferencePath = TestFiles.Fixture(Sample),
        Model = TestModels.GeneralX4,
        Region = region,
        Degradation = degradation,
        Device = ExecutionDevice.Cpu,
        WorkDirectory = work,
    };

    [Theory]
    [InlineData(DegradationKind.Area, 35.5464881363, 0.8238666655, 35.6724310080, 0.8262956918)]
    [InlineData(DegradationKind.Mtf, 34.9287523015, 0.8083385328, 35.0847077725, 0.8113571152)]
    public void Baselines_score_as_the_independent_reference_computes(DegradationKind degradation, double bicubicPsnr, double bicubicSsim, double lanczosPsnr, double lanczosSsim)
    {
        var work = TestFiles.TempDir();
        // 130×131 is cut down to whole 4×4 blocks: the reference used 320,64,128,128.
        var result = Evaluation.Run(Options(new Window(320, 64, 130, 131), degradation, work));
        Assert.Equal(new Window(320, 64, 128, 128), result.Region);
        Assert.Equal(128 * 128, result.ValidPixels);
        // PIL keeps float32 between its passes, so a rare pixel may round the other way: 0.01 dB and 1e-4 of SSIM.
        Assert.Equal(bicubicPsnr, result.Bicubic.Psnr, 2);
        Assert.Equal(bicubicSsim, result.Bicubic.Ssim, 4);
        Assert.Equal(lanczosPsnr, result.Lanczos.Psnr, 2);
        Assert.Equal(lanczosSsim, result.Lanczos.Ssim, 4);
        Assert.Equal(result.Bicubic, Assert.Single(result.Bands).Bicubic);
        Assert.Empty(Directory.GetFileSystemEntries(work));   // the low-resolution input and the model's output are gone
    }

    /// <summary>
    /// On a region wider than tall, and one taller than wide, the bicubic baseline scores as GDAL's cubic resampling of
    /// the same degraded region does (Keys a = −0.5: <c>/usr/bin/python3 tools/references/bicubic_gdal_reference.py
    /// samples/cbers2b_pan_edge_512.tif X Y W H</c>, which gives 35.5464881363 for the square region above, as PIL does):
    /// a square region cannot tell the row axis from the column axis.
    /// </summary>
    [Theory]
    [InlineData(192, 96, 34.7598958112)]
    [InlineData(96, 160, 35.7331342464)]
    public void Bicubic_baseline_on_a_non_square_region_scores_as_GDALs_cubic_resampling(int width, int height, double bicubicPsnr)
    {
        var work = TestFiles.TempDir();
        var result = Evaluation.Run(Options(new Window(320, 64, width, height), DegradationKind.Area, work));
        Assert.Equal(new Window(320, 64, width, height), result.Region);
        Assert.Equal(width * height, result.ValidPixels);
        // GDAL keeps float32 between its passes: 0.01 dB.
        Assert.Equal(bicubicPsnr, result.Bicubic.Psnr, 2);
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // --consistency: scored as `upscale --consistency` writes it
    public void The_model_is_scored_on_what_upscaling_the_degraded_region_gives(bool consistency)
    {
        var dir = TestFiles.TempDir();
        var region = new Window(320, 64, 128, 128);
        var result = Evaluation.Run(Options(region, DegradationKind.Area, TestFiles.TempDir()) with { Consistency = consistency });

        // Independently: 4×4 block means of the region, rounded, as a 32×32 file; SatSR's upscale of it; PSNR.
        var hr = TestRasters.ReadAll(TestFiles.Fixture(Sample), out var profile);
        var crop = new double[128 * 128];
        for (var y = 0; y < 128; y++)
            for (var x = 0; x < 128; x++)
                crop[y * 128 + x] = hr[(region.Row + y) * profile.Width + region.Column + x];
        var low = new double[32 * 32];
        for (var i = 0; i < crop.Length; i++) low[i / 128 / 4 * 32 + i % 128 / 4] += crop[i] / 16;
        low = low.Select(v => Math.Round(v, MidpointRounding.AwayFromZero)).ToArray();
        var lowPath = Path.Combine(dir, "low.tif");
        using (var file = RasterDataset.Create(lowPath, profile with { Width = 32, Height = 32 }, new Dictionary<string, string>()))
        {
            file.Write<double>(new Window(0, 0, 32, 32), [1], low);
        }
        var upscaled = Upscaler.Run(TestModels.GeneralX4OnCpu(lowPath, Path.Combine(dir, "sr.tif")) with { Consistency = consistency });
        var sr = TestRasters.ReadAll(upscaled.OutputPath, out _);

        Assert.Equal(TestRasters.Psnr(crop, sr), result.Model.Psnr, 9);
        Assert.Equal(upscaled.ConsistencyAfter, result.Consistency, 9);
        Assert.Equal("realesr-general-x4v3", result.ModelName);
        Assert.Equal(consistency, result.Corrected);
    }

    [Fact]
    public void Blocks_that_touch_nodata_are_left_out()
    {
        // The footprint's edge crosses this region: 4×4 blocks holding any 0 (outside the scene) are not compared.
        var region = new Window(192, 192, 128, 128);
        var result = Evaluation.Run(Options(region, DegradationKind.Area, TestFiles.TempDir()));

        var hr = TestRasters.ReadAll(TestFiles.Fixture(Sample), out var profile);
        long clean = 0;
        for (var by = 0; by < 32; by++)
            for (var bx = 0; bx < 32; bx++)
            {
                var any = false;
                for (var k = 0; k < 16; k++) any |= hr[(region.Row + by * 4 + k / 4) * profile.Width + region.Column + bx * 4 + k % 4] == 0;
                clean += any ? 0 : 1;
            }
        Assert.InRange(clean, 100, 32 * 32 - 100);   // the region really is part scene, part outside
        Assert.Equal(clean * 16, result.ValidPixels);
        // Zeros scored against a scene would cost tens of dB; on valid pixels only the baselines stay where they are on the scene.
        Assert.InRange(result.Bicubic.Psnr, 30, 45);
        Assert.InRange(result.Model.Psnr, 28, 45);
    }

    [Fact]
    public void Data_that_is_not_8_bit_takes_its_valid_range_as_the_peak()
    {
        // Landsat 8 panchromatic, Int16 (nodata −32768 declared, none in the part used): 82×82 is cut to 80×80 (×4 blocks).
        const string fixture = "landsat8_b8_pan_int16_nodata.tif";
        var result = Evaluation.Run(new EvaluationOptions
        {
            ReferencePath = TestFiles.Fixture(fixture),
            Model = TestModels.GeneralX4,
            Device = ExecutionDevice.Cpu,
            WorkDirectory = TestFiles.TempDir(),
        });
        Assert.Equal(new Window(0, 0, 80, 80), result.Region);
        var hr = TestRasters.ReadAll(TestFiles.Fixture(fixture), out var profile);
        var valid = Enumerable.Range(0, 80 * 80).Select(i => hr[i / 80 * profile.Width + i % 80]).Where(v => v != -32768).ToList();
        Assert.Equal(valid.Max() - valid.Min(), Assert.Single(result.Bands).Peak);
        Assert.Equal(valid.Count, result.ValidPixels);
        Assert.InRange(result.Bicubic.Psnr, 20, 60);
    }

    [Theory]
    [InlineData(500, 64, 128, 128, "lies outside the 512×512 image")]
    [InlineData(0, 0, 10, 40, "too small")]
    public void A_region_that_cannot_be_evaluated_is_refused(int x, int y, int w, int h, string problem)
    {
        var work = TestFiles.TempDir();
        var e = Assert.Throws<InvalidOptionsException>(() => Evaluation.Run(Options(new Window(x, y, w, h), DegradationKind.Area, work)));
        Assert.Contains(Sample, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Theory]
    [InlineData(DegradationKind.Mixed)]
    [InlineData(DegradationKind.RealEsrgan)]
    public void A_random_degradation_is_refused(DegradationKind degradation)
    {
        var work = TestFiles.TempDir();
        var e = Assert.Throws<InvalidOptionsException>(() => Evaluation.Run(Options(new Window(0, 0, 128, 128), degradation, work)));
        Assert.Contains("eval degrades by area or mtf", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }
}
