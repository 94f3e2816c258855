using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Raster;

namespace SatSR.Tests.Pipeline;

/// <summary>--tta: the eight flips and quarter turns of every tile, averaged.</summary>
public class AugmentationTests
{
    private const int Side = 64;

    [Fact]
    public void With_tta_a_turned_input_gives_exactly_the_turned_output()
    {
        var dir = TestFiles.TempDir();
        var (upright, turned) = UprightAndTurned(dir);

        var a = Upscale(upright, Path.Combine(dir, "a.tif"), tta: true);
        var b = Upscale(turned, Path.Combine(dir, "b.tif"), tta: true);

        Assert.Equal(QuarterTurn(a, Side * 4), b);
    }

    [Fact]
    public void Without_tta_the_network_alone_is_not_turn_symmetric()
    {
        // The reason the test above can fail: the network by itself gives another picture for a turned input.
        var dir = TestFiles.TempDir();
        var (upright, turned) = UprightAndTurned(dir);

        var a = Upscale(upright, Path.Combine(dir, "a.tif"), tta: false);
        var b = Upscale(turned, Path.Combine(dir, "b.tif"), tta: false);

        Assert.NotEqual(QuarterTurn(a, Side * 4), b);
    }

    [Fact]
    public void Tta_changes_the_output_but_stays_close_to_the_plain_run()
    {
        var dir = TestFiles.TempDir();
        var (upright, _) = UprightAndTurned(dir);

        var plain = Upscale(upright, Path.Combine(dir, "plain.tif"), tta: false);
        var averaged = Upscale(upright, Path.Combine(dir, "tta.tif"), tta: true);

        Assert.NotEqual(plain, averaged);
        Assert.InRange(TestRasters.Psnr(plain, averaged), 30, 60);
    }

    /// <summary>One tile covers the whole square crop, so no edge padding or blending breaks the symmetry.</summary>
    private static double[] Upscale(string input, string output, bool tta)
    {
        Upscaler.Run(TestModels.GeneralX4OnCpu(input, output) with { TileSize = Side, Tta = tta });
        return TestRasters.ReadAll(output, out _);
    }

    private static (string Upright, string Turned) UprightAndTurned(string dir)
    {
        var upright = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(96, 96, Side, Side), Path.Combine(dir, "upright.tif"));
        var pixels = TestRasters.ReadAll(upright, out var profile);
        var turned = Path.Combine(dir, "turned.tif");
        using (var ds = RasterDataset.Create(turned, profile, new Dictionary<string, string>()))
        {
            ds.Write<double>(new Window(0, 0, Side, Side), [1], QuarterTurn(pixels, Side));
        }
        return (upright, turned);
    }

    /// <summary>A quarter turn counter-clockwise of a one-band square image: out[r, c] = in[c, n−1−r].</summary>
    private static double[] QuarterTurn(double[] image, int n)
    {
        var result = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++) result[r * n + c] = image[c * n + (n - 1 - r)];
        }
        return result;
    }
}
