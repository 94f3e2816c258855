using SatSR.Geometry;
using SatSR.Quality;
using SatSR.Raster;
using SatSR.Training.Data;
using TorchSharp;
using static TorchSharp.torch;
using Degradation = SatSR.Training.Data.Degradation;

namespace SatSR.Training.Tests;

public class ValidationTests
{
    /// <summary>A "network" that answers every input with one fixed image.</summary>
    private sealed class Fixed : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor _output;
        public Fixed(Tensor output) : base("fixed") => _output = output;
        public override Tensor forward(Tensor input) => _output.clone();
    }

    /// <summary>
    /// The validation score of an output is <c>satsr eval</c>'s score (<see cref="Scores.Measure"/>) of the same pair:
    /// an RGB + gray 8-bit image (groups 1–3 and 4) with a nodata hole, against a fixed output partly outside 0..1
    /// (clamped, as a written image would be), the gray band's output the mean of the three channels. Every band
    /// pooled, peak 1; the hole's windows left out.
    /// </summary>
    [Fact]
    public void A_validation_score_is_evals_score_of_the_same_pair()
    {
        using var temp = new TempFolder();
        const int width = 64, height = 96, n = 64 * 64;
        static bool Hole(int x, int y) => x is >= 20 and < 23 && y is >= 40 and < 42;
        static double Value(int b, int x, int y) => Hole(x, y) ? 0 : (x * 7 + y * 13 + b * 29) % 250 + 3;
        var path = TrainingFixtures.Raster(temp.File("rgbn.tif"), width, height, RasterDataType.Byte,
            [ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue, ColorInterpretation.Gray], Value);
        var image = TrainingImage.Load(path, 3);
        Assert.Equal([[1, 2, 3], [4]], image.Groups);

        var window = new Window(0, 32, 64, 64);
        double Output(int c, int i) => 1.2 * Math.Sin(0.05 * i + c) * Math.Cos(0.003 * i) + 0.45;
        using var output = tensor(Enumerable.Range(0, 3 * n).Select(k => (float)Output(k / n, k % n)).ToArray()).reshape(1, 3, 64, 64);
        using var validation = new Validation(image, null, window, 3, 4, new Degradation(DegradationKind.Area, 4, 0.3), seed: 1);
        var score = validation.Model(new Fixed(output));

        var reference = new double[4 * n];
        var estimate = new double[4 * n];
        var valid = new byte[n];
        for (var i = 0; i < n; i++)
        {
            int x = i % 64, y = 32 + i / 64;
            valid[i] = Hole(x, y) ? (byte)0 : (byte)255;
            for (var b = 0; b < 4; b++) reference[b * n + i] = Value(b + 1, x, y) / 255;
            for (var c = 0; c < 3; c++) estimate[c * n + i] = Math.Clamp((double)(float)Output(c, i), 0, 1);
            estimate[3 * n + i] = Math.Clamp(Enumerable.Range(0, 3).Average(c => (double)(float)Output(c, i)), 0, 1);
        }
        var eval = Scores.Measure(reference, estimate, valid, 64, 64, [1, 1, 1, 1]).Overall;
        Assert.Equal(eval.Psnr, score.Psnr, tolerance: 1e-6); // the image held as float32 0..1
        Assert.Equal(eval.Ssim, score.Ssim, tolerance: 1e-7);
    }
}
