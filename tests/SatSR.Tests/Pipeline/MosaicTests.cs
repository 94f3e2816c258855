using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// A mosaic of tiles as one seamless output through GDAL's VRT: three 40×40 tiles of the panchromatic scene in a
/// 2×2 layout (the fourth quadrant has none, so it is nodata), each tile with nodata 0, assembled by gdalbuildvrt.
/// </summary>
public class MosaicTests
{
    private static string Mosaic(string dir)
    {
        var fixture = TestFiles.Fixture("cbers2b_pan_town_256.tif");
        var tiles = new[] { (0, 0), (40, 0), (0, 40) }.Select(t =>
        {
            var path = Path.Combine(dir, $"tile_{t.Item1}_{t.Item2}.tif");
            GdalPython.Run("gdal.Translate(sys.argv[2], sys.argv[1], srcWin=[int(v) for v in sys.argv[3:5]] + [40, 40], noData=0)",
                fixture, path, $"{60 + t.Item1}", $"{60 + t.Item2}");
            return path;
        }).ToList();
        var vrt = Path.Combine(dir, "mosaic.vrt");
        GdalPython.Run("gdal.BuildVRT(sys.argv[1], sys.argv[2:], srcNodata=0, VRTNodata=0)", [vrt, .. tiles]);
        return vrt;
    }

    private static UpscaleOptions Options(string input, string output) => TestModels.GeneralX4OnCpu(input, output) with
    {
        TileSize = 24,
        Overlap = 8,
        CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
    };

    /// <summary>The same mosaic copied into one GeoTIFF by gdal_translate is the reference: equal pixels, georeference and nodata.</summary>
    [Fact]
    public void Upscaling_a_VRT_of_tiles_equals_upscaling_the_same_mosaic_as_one_GeoTIFF()
    {
        var dir = TestFiles.TempDir();
        var vrt = Mosaic(dir);
        var flat = Path.Combine(dir, "mosaic.tif");
        GdalPython.Run("gdal.Translate(sys.argv[2], sys.argv[1])", vrt, flat);

        var fromVrt = TestRasters.ReadAll(Upscaler.Run(Options(vrt, Path.Combine(dir, "from-vrt.tif"))).OutputPath, out var vrtProfile);
        var fromTif = TestRasters.ReadAll(Upscaler.Run(Options(flat, Path.Combine(dir, "from-tif.tif"))).OutputPath, out var tifProfile);

        Assert.Equal((320, 320), (vrtProfile.Width, vrtProfile.Height));
        Assert.Equal(fromTif, fromVrt);
        Assert.Equal(tifProfile.Transform, vrtProfile.Transform);
        Assert.Equal(tifProfile.Projection, vrtProfile.Projection);
        Assert.Equal(0, vrtProfile.Bands[0].Nodata);
        // The quadrant no tile covers stays nodata; the tiles' pixels are valid.
        Assert.All(Enumerable.Range(160, 160).SelectMany(y => Enumerable.Range(160, 160).Select(x => fromVrt[y * 320 + x])), v => Assert.Equal(0, v));
        Assert.True(fromVrt.Take(160 * 320).Count(v => v == 0) < 100);
    }

    /// <summary>
    /// Interrupted, then a source tile is rewritten (other pixels, the VRT's own XML unchanged): the resume is refused,
    /// not mixed; unchanged, the same resume continues.
    /// </summary>
    [Fact]
    public void Resuming_a_VRT_whose_source_tile_changed_is_refused()
    {
        var dir = TestFiles.TempDir();
        var vrt = Mosaic(dir);
        var options = Options(vrt, Path.Combine(dir, "out.tif"));
        using (var cts = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, new CancelAfter(4, cts), cts.Token));
        }
        var xml = File.ReadAllBytes(vrt);
        var tile = Path.Combine(dir, "tile_40_0.tif");
        TestRasters.Edit(tile, (_, _, _, v) => v == 0 ? 0 : 256 - v);
        Assert.Equal(xml, File.ReadAllBytes(vrt));

        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(options with { Resume = true }));
        Assert.Contains("cannot resume: out.tif.partial was made from another input, model or options", e.Message);
        Assert.True(File.Exists(options.OutputPath + ".partial"));
        Assert.False(File.Exists(options.OutputPath));
    }

    [Fact]
    public void Resuming_a_VRT_whose_sources_are_unchanged_continues()
    {
        var dir = TestFiles.TempDir();
        var vrt = Mosaic(dir);
        var options = Options(vrt, Path.Combine(dir, "out.tif"));
        using (var cts = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, new CancelAfter(4, cts), cts.Token));
        }
        var result = Upscaler.Run(options with { Resume = true });
        Assert.True(result.TilesInferred < 16, $"the resumed run inferred {result.TilesInferred} of 16 tiles");
        Assert.Equal(TestRasters.ReadAll(Upscaler.Run(options with { OutputPath = Path.Combine(dir, "whole.tif") }).OutputPath, out _),
            TestRasters.ReadAll(options.OutputPath, out _));
    }

    private sealed class CancelAfter(int tiles, CancellationTokenSource cts) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            if (value.TilesDone >= tiles) cts.Cancel();
        }
    }
}
