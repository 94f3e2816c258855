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
