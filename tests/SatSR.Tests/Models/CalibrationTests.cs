using SatSR.Inference;
using SatSR.Models.Onnx;

namespace SatSR.Tests.Models;

/// <summary>Activation ranges measured by running the float graph (<see cref="Calibration"/>), against ranges worked out by hand.</summary>
public class CalibrationTests
{
    [Theory]
    [InlineData(CalibrationMethod.MinMax)]
    [InlineData(CalibrationMethod.Percentile)]
    public void Each_tensor_s_range_is_the_smallest_and_largest_value_it_takes_over_all_tiles(CalibrationMethod method)
    {
        // Two 5×5 tiles: the input runs over [0, 0.5] in the first and [0.5, 1] in the second, so each end of a range
        // comes from one tile. By hand, for input x: c1 = (0.5x + 0.1, −0.25x), r1 = (0.5x + 0.1, −0.05x), output =
        // 0.5x + 0.1 + 0.3·0.05x = 0.515x + 0.1. (Percentiles: 1e-4 of 100 values clips none, so they are the same.)
        float[][] tiles = [[.. Enumerable.Range(0, 25).Select(i => i / 48f)], [.. Enumerable.Range(0, 25).Select(i => 0.5f + i / 48f)]];
        var model = TestModels.TwoConvolutions();

        var ranges = Calibration.Measure(model, QdqGraph.CalibrationTensors(model), tiles, channels: 1, side: 5, method);

        Assert.Equal(["c1", "input", "output", "r1"], ranges.Keys.Order());
        AssertRange(0f, 1f, ranges["input"]);
        AssertRange(-0.25f, 0.6f, ranges["c1"]);
        AssertRange(-0.05f, 0.6f, ranges["r1"]);
        AssertRange(0.1f, 0.615f, ranges["output"]);
    }

    private static void AssertRange(float min, float max, ActivationRange range)
    {
        Assert.Equal(min, range.Min, 1e-6f);
        Assert.Equal(max, range.Max, 1e-6f);
    }
}
