using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Tests.Models;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// --model-weight: the output is weight·network + (1 − weight)·bicubic, and auto measures the weight on the scene one
/// scale down. Expected values are computed here from the input's pixels with a hand-written Keys bicubic (a = −0.5),
/// not with SatSR's resamplers.
/// </summary>
public class ModelWeightTests
{
    private const int S = 4, Side = 64;

    private static double Keys(double x)
    {
        x = Math.Abs(x);
        return x < 1 ? (1.5 * x - 2.5) * x * x + 1 : x < 2 ? ((-0.5 * x + 2.5) * x - 4) * x + 2 : 0;
    }

    /// <summary>Bicubic ×s of an n×n plane on pixel centres, taps past an edge on the edge pixel.</summary>
    private static double[] Bicubic(double[] plane, int n, int s)
    {
        double Axis(Func<int, double> at, int d)
        {
            var c = (d + 0.5) / s - 0.5;
            var first = (int)Math.Floor(c) - 1;
            return Enumerable.Range(first, 4).Sum(i => Keys(c - i) * at(Math.Clamp(i, 0, n - 1)));
        }
        var across = new double[n * n * s];
        for (var y = 0; y < n; y++)
            for (var x = 0; x < n * s; x++) across[y * n * s + x] = Axis(i => plane[y * n + i], x);
        var result = new double[n * s * n * s];
        for (var y = 0; y < n * s; y++)
            for (var x = 0; x < n * s; x++) result[y * n * s + x] = Axis(i => across[i * n * s + x], y);
        return result;
    }

    private static double[] Repeat(double[] plane, int n, int s) =>
        Enumerable.Range(0, n * s * n * s).Select(i => plane[i / (n * s) / s * n + i % (n * s) / s]).ToArray();

    private static UpscaleOptions Run(string input, string output, double? weight) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = TestModels.PixelRepeat,
        Device = ExecutionDevice.Cpu,
        ModelWeight = weight,
    };

    /// <summary>
    /// A 64² crop (one tile), half of it flat 4×4 blocks, through a ×4 pixel repeat: auto's weight is the least-squares blend of the repeat and
    /// bicubic of the crop's 4×4 block means that best gives back the crop, on the block means two blocks in from the
    /// edge; and the output at that weight, and at weight 0, is the blend of the repeat and bicubic of the crop itself.
    /// </summary>
    [Fact]
    public void Auto_weight_is_the_least_squares_blend_one_scale_down_and_the_output_is_that_blend()
    {
        using var dir = new TempFolder();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 80, Side, Side), dir.File("in.tif"));
        // Half the town's texture, half flat 4×4 blocks: the repeat gives the blocks back, bicubic the texture better.
        TestRasters.Edit(input, (_, x, y, v) => Math.Round(0.5 * v + (x / S * 7 + y / S * 13) % 5 * 20));
        var low = TestRasters.ReadAll(input, out _);

        const int n = Side / S;
        var coarse = new double[n * n];
        for (var i = 0; i < low.Length; i++) coarse[i / Side / S * n + i % Side / S] += low[i] / (S * S);
        var (m, b) = (Repeat(coarse, n, S), Bicubic(coarse, n, S));
        double cross = 0, power = 0;
        for (var y = 2 * S; y < Side - 2 * S; y++)
            for (var x = 2 * S; x < Side - 2 * S; x++)
            {
                var i = y * Side + x;
                cross += (m[i] - b[i]) * (low[i] - b[i]);
                power += (m[i] - b[i]) * (m[i] - b[i]);
            }
        var expected = Math.Clamp(cross / power, 0, 1);
        Assert.InRange(expected, 0.05, 0.95);   // the crop makes a weight inside the range, where clamping hides nothing

        var measured = Upscaler.Run(Run(input, dir.File("auto.tif"), null));
        Assert.Equal(expected, measured.ModelWeight, 3);
        TestRasters.ReadAll(dir.File("auto.tif"), out var profile);
        Assert.Contains($"SATSR_MODEL_WEIGHT={measured.ModelWeight.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}",
            profile.Metadata[""]);

        var (repeat, bicubic) = (Repeat(low, Side, S), Bicubic(low, Side, S));
        foreach (var (name, weight) in new[] { ("auto", measured.ModelWeight), ("zero", 0.0) })
        {
            if (name == "zero") Upscaler.Run(Run(input, dir.File("zero.tif"), 0));
            var output = TestRasters.ReadAll(dir.File(name + ".tif"), out _);
            var worst = Enumerable.Range(0, output.Length)
                .Max(i => Math.Abs(output[i] - Math.Clamp(weight * repeat[i] + (1 - weight) * bicubic[i], 0, 255)));
            Assert.True(worst <= 0.5 + 1e-3, $"{name}: {worst} levels from the blend at weight {weight}");
        }
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("much")]
    public async Task A_weight_outside_0_to_1_is_refused_in_one_line_and_nothing_is_written(string weight)
    {
        using var dir = new TempFolder();
        var output = dir.File("out.tif");
        var (exit, _, error) = await SatSR.Tests.Cli.CliTests.Run("upscale", TestFiles.Fixture("cbers2b_pan_town_256.tif"), output, "--model-weight", weight);
        Assert.NotEqual(0, exit);
        Assert.Contains("--model-weight", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }
}
