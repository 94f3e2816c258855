using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Radiometry;
using SatSR.Raster;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary>The default mapping of values to the network's 0..1 depends on the sensor's bit depth, not on the scene.</summary>
public class RadiometryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, 2040, true, 0, 2047)]       // 11-bit data in UInt16
    [InlineData(0, 200, true, 0, 255)]         // never below 8 bits
    [InlineData(0, 4095, true, 0, 4095)]       // exactly 12 bits
    [InlineData(-3, 3000, true, -4, 4091)]     // from −2² up 2¹² values
    [InlineData(0, 0.8, false, 0, 1)]          // reflectance stays as it is
    [InlineData(0, 2.55, false, 0, 4)]
    [InlineData(-0.3, 0.5, false, -0.5, 0.5)]
    [InlineData(0, 0, true, 0, 255)]
    public void The_depth_range_is_the_bit_depth_the_values_need(double min, double max, bool integer, double low, double high)
    {
        Assert.Equal(new SatSR.Pixels.BandRange(low, high), BandRanges.DepthRange(min, max, integer));
    }

    [Fact]
    public void Eleven_bit_data_without_a_declared_depth_matches_the_8_bit_run()
    {
        var dir = TestFiles.TempDir();
        var window = new Window(100, 100, 64, 64);
        var eight = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in8.tif"));
        var eleven = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in11.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8);
        using (var check = RasterDataset.Open(eleven)) Assert.Null(check.Profile.BitDepth);

        var reference = TestRasters.ReadAll(Upscaler.Run(TestModels.GeneralX4OnCpu(eight, Path.Combine(dir, "out8.tif"))).OutputPath, out _);
        var result = TestRasters.ReadAll(Upscaler.Run(TestModels.GeneralX4OnCpu(eleven, Path.Combine(dir, "out11.tif"))).OutputPath, out _);
        var psnr = TestRasters.Psnr(reference, result.Select(v => v / 8).ToArray());

        output.WriteLine($"UInt16 (values ×8, no NBITS), no options, vs 8-bit run: {psnr:F2} dB");
        Assert.True(psnr >= 40, $"{psnr:F2} dB");
    }

    [Fact]
    public void Two_adjacent_crops_of_one_scene_get_the_same_mapping_by_default_but_not_by_percentile()
    {
        var dir = TestFiles.TempDir();
        // Two neighbouring windows of the town as 11-bit-like UInt16: different content, one sensor.
        var left = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 64, 64), Path.Combine(dir, "left.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8);
        var right = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(64, 0, 64, 64), Path.Combine(dir, "right.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8);

        var depth = (Unit(left, Stretch.BitDepth), Unit(right, Stretch.BitDepth));
        var percentile = (Unit(left, Stretch.Percentile), Unit(right, Stretch.Percentile));

        // Both windows hold values above 1023 (8-bit 128) and at most 2040, so both need 11 bits.
        Assert.Equal((new SatSR.Pixels.BandRange(0, 2047), new SatSR.Pixels.BandRange(0, 2047)), depth);
        output.WriteLine($"percentile ranges: {percentile.Item1} and {percentile.Item2}");
        Assert.NotEqual(percentile.Item1, percentile.Item2);
    }

    private static SatSR.Pixels.BandRange Unit(string path, Stretch stretch)
    {
        using var source = RasterDataset.Open(path);
        var validity = Validity.For(source, NodataMode.FromFile, 0);
        return BandRanges.Measure(source, validity, [], stretch)[0].Unit;
    }
}
