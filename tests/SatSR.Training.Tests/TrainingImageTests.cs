using SatSR.Geometry;
using SatSR.Raster;
using SatSR.Training.Data;

namespace SatSR.Training.Tests;

/// <summary>
/// Training sees a file as `upscale` does (README, "What a run does", 3): the first three bands go as RGB, every
/// further band alone (replicated to the network's channels), alpha never; values are normalised by the global
/// bit-depth rule. Expected values are that rule worked by hand.
/// </summary>
public class TrainingImageTests
{
    private static double Value(int band, int x, int y) => 1 + (band * 31 + x * 3 + y * 7) % 250;

    // Four bands without colour meaning, as a multispectral GeoTIFF stores them (GDAL would make an RGB file's fourth band alpha).
    private static readonly ColorInterpretation[] Multispectral = [.. Enumerable.Repeat(ColorInterpretation.Undefined, 4)];
    private static readonly Dictionary<string, string> MinIsBlack = new() { ["PHOTOMETRIC"] = "MINISBLACK" };

    private static void Close(double expected, float actual) => Assert.InRange(Math.Abs(expected - actual), 0, 1e-6);

    private static float[] Crop(TrainingImage image, int[] group, Window window)
    {
        var planes = new float[3 * window.Width * window.Height];
        image.Crop(group, window, 3, planes);
        return planes;
    }

    [Fact]
    public void Four_bands_go_as_one_RGB_triple_and_one_band_alone()
    {
        using var temp = new TempFolder();
        var path = TrainingFixtures.Raster(temp.File("rgbn.tif"), 64, 48, RasterDataType.Byte,
            Multispectral, Value, MinIsBlack);
        var image = TrainingImage.Load(path, channels: 3);
        Assert.Equal([[1, 2, 3], [4]], image.Groups);

        var window = new Window(5, 7, 8, 4);
        var rgb = Crop(image, [1, 2, 3], window);
        var alone = Crop(image, [4], window);
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 32; i++)
            {
                int x = window.Column + i % 8, y = window.Row + i / 8;
                Close(Value(c + 1, x, y) / 255, rgb[c * 32 + i]);
                Close(Value(4, x, y) / 255, alone[c * 32 + i]);
            }
        }

        // Both groups are drawn for training.
        var sampler = new PatchSampler([image], 16, 4, [[]]);
        var drawn = Enumerable.Range(1, 20).SelectMany(step => sampler.Draw(1, step, 4)).Select(p => p.Group.Length).ToHashSet();
        Assert.Equal([1, 3], drawn.Order());
    }

    /// <summary>An alpha band is never a group, and where it is 0 no pixel is valid (GDAL's mask, as inference reads it).</summary>
    [Fact]
    public void Alpha_is_no_group_and_marks_what_is_valid()
    {
        using var temp = new TempFolder();
        var path = TrainingFixtures.Raster(temp.File("rgba.tif"), 64, 48, RasterDataType.Byte,
            [ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue, ColorInterpretation.Alpha],
            (b, x, y) => b == 4 ? (x < 20 ? 0 : 255) : Value(b, x, y));
        var image = TrainingImage.Load(path, channels: 3);
        Assert.Equal([[1, 2, 3]], image.Groups);
        for (var y = 0; y < 48; y++)
            for (var x = 0; x < 64; x++) Assert.Equal(x < 20 ? 0 : 255, image.Valid[y * 64 + x]);
    }

    /// <summary>UInt16 that declares NBITS=12 maps by 4095; without a declaration, a maximum of 1500 needs 11 bits: by 2047.</summary>
    [Theory]
    [InlineData("12", 4095)]
    [InlineData(null, 2047)]
    public void Uint16_is_normalised_by_its_bit_depth(string? nbits, double top)
    {
        using var temp = new TempFolder();
        static double Level(int x, int y) => x == 0 && y == 0 ? 1500 : 1 + (x * 37 + y * 11) % 1400;
        var options = nbits is null ? null : new Dictionary<string, string> { ["NBITS"] = nbits };
        var path = TrainingFixtures.Raster(temp.File("u16.tif"), 32, 32, RasterDataType.UInt16, [ColorInterpretation.Gray], (_, x, y) => Level(x, y), options);
        var image = TrainingImage.Load(path, channels: 3);
        Assert.Equal([[1]], image.Groups);

        var window = new Window(0, 0, 32, 32);
        var planes = Crop(image, [1], window);
        for (var c = 0; c < 3; c++)
            for (var i = 0; i < 1024; i++) Close(Level(i % 32, i / 32) / top, planes[c * 1024 + i]);
    }

    /// <summary>A 4-band raster trains end to end: each group is validated apart and the model is written.</summary>
    [Fact]
    public void A_multiband_raster_trains()
    {
        using var temp = new TempFolder();
        var path = TrainingFixtures.Raster(temp.File("rgbn.tif"), 96, 96, RasterDataType.Byte,
            Multispectral, Value, MinIsBlack);
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, path, temp.File("out.pth")) with { Steps = 3 };
        var result = Trainer.Run(options, null, CancellationToken.None);
        Assert.Equal(3, result.Steps);
        Assert.True(double.IsFinite(result.Final.Current.Psnr));
        Assert.True(File.Exists(options.OutputPath));
    }
}
