using SatSR.Raster;
using SatSR.Training.Data;
using DegradationKind = SatSR.Quality.DegradationKind;

namespace SatSR.Training.Tests;

/// <summary>Paired mode (<c>--pairs LR.tif</c>): the LR half of each example is the co-registered file's pixels, not a degradation.</summary>
public class PairedTests
{
    private static readonly ColorInterpretation[] Rgb = [ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue];

    // HR: red and green say where a pixel is; LR: its own values, unrelated to the HR's, so only a read of the file can match.
    private static double HrValue(int band, int x, int y) => band switch { 1 => x + 1, 2 => y + 1, _ => (x * 5 + y * 3) % 200 + 1 };
    private static double LrValue(int band, int u, int v) => band switch { 1 => u + 101, 2 => v + 151, _ => (u * 7 + v * 11) % 150 + 1 };

    /// <summary>A 128² HR file, its co-registered 32² LR file (values unrelated to the HR's) and a tiny base model.</summary>
    private static (string Hr, string Lr, SatSR.Models.ModelDescriptor Model) Files(TempFolder temp) => (
        TrainingFixtures.Raster(temp.File("hr.tif"), 128, 128, RasterDataType.Byte, Rgb, HrValue),
        TrainingFixtures.Raster(temp.File("lr.tif"), 32, 32, RasterDataType.Byte, Rgb, LrValue),
        TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth")));

    /// <summary>
    /// Each drawn HR patch's origin and flips are read back from its own pixels; its LR half is the LR file's 8×8
    /// pixels at origin/4, flipped the same way, /255 as 8-bit data is normalised.
    /// </summary>
    [Fact]
    public void The_LR_half_is_the_LR_files_pixels_under_the_HR_patch()
    {
        using var temp = new TempFolder();
        var (hrPath, lrPath, model) = Files(temp);
        var options = TrainingFixtures.Options(model, hrPath, temp.File("out.pth")) with { PairsPath = lrPath, Batch = 8 };
        List<TrainingImage> images = [TrainingImage.Load(hrPath, 3)];
        var lowRes = TrainingImage.Load(lrPath, 3);
        var sampler = new PatchSampler(images, 32, 4, [[]], lowRes: lowRes);
        var degradation = new Degradation(DegradationKind.Area, 4, 0.3);

        var flips = new HashSet<(bool, bool)>();
        for (var step = 1; step <= 10; step++)
        {
            var (lrBatch, hrBatch) = Trainer.Batch(options, sampler, images, lowRes, degradation, 3, 4, step);
            Assert.Equal([8L, 3, 32, 32], hrBatch.shape);
            Assert.Equal([8L, 3, 8, 8], lrBatch.shape);
            var hr = hrBatch.data<float>().ToArray();
            var lr = lrBatch.data<float>().ToArray();
            for (var b = 0; b < 8; b++)
            {
                float H(int c, int y, int x) => hr[((b * 3 + c) * 32 + y) * 32 + x] * 255;
                var flipX = H(0, 0, 0) > H(0, 0, 31);
                var flipY = H(1, 0, 0) > H(1, 31, 0);
                var x0 = (int)Math.Round(Math.Min(H(0, 0, 0), H(0, 0, 31))) - 1;
                var y0 = (int)Math.Round(Math.Min(H(1, 0, 0), H(1, 31, 0))) - 1;
                flips.Add((flipX, flipY));
                Assert.True(x0 % 4 == 0 && y0 % 4 == 0, $"patch at {x0},{y0} is not on the LR grid");
                for (var c = 0; c < 3; c++)
                {
                    for (var i = 0; i < 8; i++)
                    {
                        for (var j = 0; j < 8; j++)
                        {
                            var expected = LrValue(c + 1, x0 / 4 + (flipX ? 7 - j : j), y0 / 4 + (flipY ? 7 - i : i)) / 255;
                            Assert.InRange(Math.Abs(expected - lr[((b * 3 + c) * 8 + i) * 8 + j]), 0, 1e-6);
                        }
                    }
                }
            }
        }
        Assert.Equal(4, flips.Count);
    }

    /// <summary>
    /// <c>--no-flip</c>: the patches of each step are drawn at the same places as with flips, and none is mirrored, HR or
    /// LR half: red grows to the right and green downwards in every one, and the LR half is the LR file's pixels as they lie.
    /// </summary>
    [Fact]
    public void Without_flips_the_same_patches_come_in_the_images_own_orientation()
    {
        using var temp = new TempFolder();
        var (hrPath, lrPath, model) = Files(temp);
        var flipped = TrainingFixtures.Options(model, hrPath, temp.File("out.pth")) with { PairsPath = lrPath, Batch = 8 };
        var plain = flipped with { Flip = false };
        List<TrainingImage> images = [TrainingImage.Load(hrPath, 3)];
        var lowRes = TrainingImage.Load(lrPath, 3);
        var sampler = new PatchSampler(images, 32, 4, [[]], lowRes: lowRes);
        var degradation = new Degradation(DegradationKind.Area, 4, 0.3);

        for (var step = 1; step <= 10; step++)
        {
            var withFlips = Trainer.Batch(flipped, sampler, images, lowRes, degradation, 3, 4, step).Hr.data<float>().ToArray();
            var (lrBatch, hrBatch) = Trainer.Batch(plain, sampler, images, lowRes, degradation, 3, 4, step);
            var hr = hrBatch.data<float>().ToArray();
            var lr = lrBatch.data<float>().ToArray();
            for (var b = 0; b < 8; b++)
            {
                float H(float[] batch, int c, int y, int x) => batch[((b * 3 + c) * 32 + y) * 32 + x] * 255;
                Assert.True(H(hr, 0, 0, 0) < H(hr, 0, 0, 31) && H(hr, 1, 0, 0) < H(hr, 1, 31, 0), $"step {step}, patch {b} is mirrored");
                // The origin, from the smaller corner value: the same as the flipped run's patch.
                Assert.Equal(Math.Min(H(withFlips, 0, 0, 0), H(withFlips, 0, 0, 31)), H(hr, 0, 0, 0));
                Assert.Equal(Math.Min(H(withFlips, 1, 0, 0), H(withFlips, 1, 31, 0)), H(hr, 1, 0, 0));
                int x0 = (int)Math.Round(H(hr, 0, 0, 0)) - 1, y0 = (int)Math.Round(H(hr, 1, 0, 0)) - 1;
                for (var i = 0; i < 8; i++)
                {
                    for (var j = 0; j < 8; j++)
                    {
                        Assert.InRange(Math.Abs(LrValue(3, x0 / 4 + j, y0 / 4 + i) / 255 - lr[((b * 3 + 2) * 8 + i) * 8 + j]), 0, 1e-6);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A paired run trains and writes its model, and its validation's LR is the file's too: bicubic from the LR file
    /// (whose values do not match the HR's) scores far below bicubic from the HR's own block means.
    /// </summary>
    [Fact]
    public void A_paired_run_validates_on_the_LR_file()
    {
        using var temp = new TempFolder();
        var (hrPath, lrPath, model) = Files(temp);
        var synthetic = TrainingFixtures.Options(model, hrPath, temp.File("synthetic.pth")) with { Steps = 3 };
        var paired = synthetic with { OutputPath = temp.File("paired.pth"), PairsPath = lrPath };

        var fromFile = Trainer.Run(paired, null, CancellationToken.None);
        var fromHr = Trainer.Run(synthetic, null, CancellationToken.None);
        Assert.Equal(3, fromFile.Steps);
        Assert.True(File.Exists(paired.OutputPath));
        Assert.True(fromFile.Final.Bicubic.Psnr < fromHr.Final.Bicubic.Psnr - 10,
            $"bicubic from the LR file {fromFile.Final.Bicubic.Psnr:F2} dB, from the HR's block means {fromHr.Final.Bicubic.Psnr:F2} dB");
    }
}
