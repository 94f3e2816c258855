using SatSR.Geometry;
using SatSR.Pixels;

namespace SatSR.Tests.Pixels;

public class ConsistencyTests
{
    [Fact]
    public void Correct_makes_the_prediction_average_back_to_the_input()
    {
        const int w = 5, h = 4, s = 3;
        var random = new Random(7);
        var input = Enumerable.Range(0, w * h).Select(_ => random.NextSingle()).ToArray();
        var prediction = Enumerable.Range(0, w * s * h * s).Select(_ => random.NextSingle()).ToArray();
        var valid = Enumerable.Repeat((byte)255, w * h).ToArray();
        var residual = new float[w * h];
        var all = new Window(0, 0, w, h);

        var before = Consistency.Residual(prediction, input, w, h, s, valid, all, residual);
        Consistency.Correct(prediction, residual, w, h, s);
        var after = Consistency.Residual(prediction, input, w, h, s, valid, all, residual);
        Assert.Equal(w * h, before.Count);
        Assert.True(before.Psnr < 20);
        Assert.True(after.Psnr > 120, $"{after.Psnr} dB");
    }

    [Fact]
    public void Residual_is_the_input_minus_each_blocks_mean_and_measures_only_valid_pixels_in_the_window()
    {
        // By hand: blocks (0.1+0.3+0.2+0.4)/4 = 0.25 and (0.5+0.7+0.6+0.8)/4 = 0.65 against inputs 0.5 and 0.5.
        float[] prediction = [0.1f, 0.3f, 0.5f, 0.7f, 0.2f, 0.4f, 0.6f, 0.8f];
        var residual = new float[2];
        var error = Consistency.Residual(prediction, [0.5f, 0.5f], 2, 1, 2, [255, 255], new Window(0, 0, 2, 1), residual);
        Assert.Equal(0.25f, residual[0], 1e-6f);
        Assert.Equal(-0.15f, residual[1], 1e-6f);
        Assert.Equal(2, error.Count);
        Assert.Equal(0.0625 + 0.0225, error.Sum, 1e-6);
        // Nodata (the first pixel) and pixels outside the measured window (the second) do not count.
        Assert.Equal(0, Consistency.Residual(prediction, [0.5f, 0.5f], 2, 1, 2, [0, 255], new Window(0, 0, 1, 1), residual).Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Residual_matches_a_direct_block_average_on_rows_wider_than_a_vector(int s)
    {
        // 13 input columns: rows of 26–52 values, so whole vectors and a remainder are summed.
        const int w = 13, h = 5;
        var random = new Random(s);
        var input = Enumerable.Range(0, w * h).Select(_ => random.NextSingle()).ToArray();
        var prediction = Enumerable.Range(0, w * s * h * s).Select(_ => random.NextSingle()).ToArray();
        var valid = Enumerable.Range(0, w * h).Select(i => (byte)(i % 7 == 0 ? 0 : 255)).ToArray();
        var measured = new Window(1, 1, 10, 3);
        var residual = new float[w * h];
        var error = Consistency.Residual(prediction, input, w, h, s, valid, measured, residual);

        double sum = 0;
        var count = 0;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                double block = 0;
                for (var dy = 0; dy < s; dy++) for (var dx = 0; dx < s; dx++) block += prediction[(y * s + dy) * w * s + x * s + dx];
                var r = input[y * w + x] - block / (s * s);
                Assert.Equal(r, residual[y * w + x], 1e-6);
                if (valid[y * w + x] == 0 || x < measured.Column || x >= measured.Right || y < measured.Row || y >= measured.Bottom) continue;
                sum += r * r;
                count++;
            }
        }
        Assert.Equal(count, error.Count);
        Assert.Equal(sum, error.Sum, 1e-6);   // the residual itself is a float
    }

    [Fact]
    public void Measure_compares_whole_blocks_of_the_stored_output_with_valid_input_pixels()
    {
        // Output window 1,0 4×2 at ×2 over input 0,0 3×1: input pixel 0's block starts left of the window and input
        // pixel 2's ends right of it, so only pixel 1 (output columns 2–3) counts. By hand: (10+30+20+40)/4 = 25
        // against 20 on a 0..100 range: 0.05² = 0.0025.
        byte[] output = [0, 10, 30, 0, 0, 20, 40, 0];
        var error = Consistency.Measure<byte>(output, new Window(1, 0, 4, 2), [0, 20, 0], new Window(0, 0, 3, 1), [255, 255, 255], 2, new BandRange(0, 100));
        Assert.Equal(1, error.Count);
        Assert.Equal(0.0025, error.Sum, 1e-9);
        Assert.Equal(0, Consistency.Measure<byte>(output, new Window(1, 0, 4, 2), [0, 20, 0], new Window(0, 0, 3, 1), [255, 0, 255], 2, new BandRange(0, 100)).Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Measure_matches_a_direct_block_average_on_8_bit_rows_wider_than_a_vector(int s)
    {
        // An output window that starts and ends inside blocks, 75 columns (whole vectors of bytes and a remainder).
        var outputWindow = new Window(s + 1, 1, 75, 6 * s);
        var inputWindow = Window.FromEdges(outputWindow.Column / s, outputWindow.Row / s, (outputWindow.Right + s - 1) / s, (outputWindow.Bottom + s - 1) / s);
        var random = new Random(s);
        var output = Enumerable.Range(0, outputWindow.Width * outputWindow.Height).Select(_ => (byte)random.Next(256)).ToArray();
        var input = Enumerable.Range(0, inputWindow.Width * inputWindow.Height).Select(_ => (double)random.Next(256)).ToArray();
        var valid = Enumerable.Range(0, input.Length).Select(i => (byte)(i % 5 == 0 ? 0 : 255)).ToArray();
        var error = Consistency.Measure<byte>(output, outputWindow, input, inputWindow, valid, s, BandRange.Byte);

        double sum = 0;
        var count = 0;
        for (var iy = 0; iy < inputWindow.Height; iy++)
        {
            for (var ix = 0; ix < inputWindow.Width; ix++)
            {
                int top = (inputWindow.Row + iy) * s - outputWindow.Row, left = (inputWindow.Column + ix) * s - outputWindow.Column;
                var i = iy * inputWindow.Width + ix;
                if (top < 0 || left < 0 || top + s > outputWindow.Height || left + s > outputWindow.Width || valid[i] == 0) continue;
                var block = 0;
                for (var dy = 0; dy < s; dy++) for (var dx = 0; dx < s; dx++) block += output[(top + dy) * outputWindow.Width + left + dx];
                var d = (block / (double)(s * s) - input[i]) / 255;
                sum += d * d;
                count++;
            }
        }
        Assert.Equal(count, error.Count);
        Assert.Equal(sum, error.Sum, 1e-6);
    }

    [Fact]
    public void Robust_range_ignores_a_few_outliers_and_nodata_but_keeps_the_extremes()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => 1000.0 + i % 1000).ToArray();
        values[0] = 65535;
        values[1] = 0;
        values[2] = double.NaN;
        var valid = Enumerable.Repeat((byte)255, values.Length).ToArray();
        valid[3] = 0;
        values[3] = -5;
        var stats = BandStatistics.Measure(values, valid)!.Value;
        Assert.Equal((0.0, 65535.0), (stats.Min, stats.Max));
        Assert.InRange(stats.Low, 1000, 1002);
        Assert.InRange(stats.High, 1997, 1999);
        Assert.Null(BandStatistics.Measure([1.0, 2.0], [0, 0]));
    }
}
