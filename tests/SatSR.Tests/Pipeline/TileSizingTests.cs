using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Output;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// Without --tile the tile size comes from the memory budget: the fewest computed pixels (plus 64² per tile for its
/// overhead) among the sizes whose tiles in flight fit. The expected sizes are worked out by hand below from the documented rule (TileSizing): realesr-general-x4v3
/// takes 1,700 B of activations per tile pixel; a 1-band ×4 tile in flight takes 8 + 1 + 4·(3 + 3·16) + 4·16 = 277 B per
/// pixel; with 2 workers and queue depth 2, 1 + 3·(2 + 2) = 13 tiles are in flight: 1,700 + 13·277 = 5,301 B per pixel.
/// </summary>
public class TileSizingTests
{
    private static UpscaleResult Run(string input, string output, long? memory) =>
        Upscaler.Run(TestModels.GeneralX4OnCpu(input, output) with { Threads = 2, MemoryBytes = memory });

    [Fact]
    public void A_small_image_runs_as_one_tile_by_default()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, 60, 44), Path.Combine(dir, "in.tif"));
        var result = Run(input, Path.Combine(dir, "out.tif"), memory: null);
        // 60×44 px at 5,301 B is 14 MB: the whole image fits any default budget, so nothing is recomputed.
        Assert.Equal(60, result.TileSize);
        Assert.Equal(1, result.TilesInferred);
    }

    [Theory]
    // 64 MiB / 5,301 B = 12,659 px: a read of 112² (tile 64 + 2·24) fits, 144² (tile 96) does not.
    [InlineData(64, 64)]
    // 256 MiB / 5,301 B = 50,639 px: up to tile 160 (read 208² = 43,264) fits, 192 (240²) does not. Of those, 128 computes
    // the least over the 256² image: 2×2 reads of 176² (+ 64² each) = 140,288 px, against 2×2 of 208² = 189,440 (160),
    // 3×3 of 144² = 223,488 (96) and 4×4 of 112² = 266,240 (64).
    [InlineData(256, 128)]
    public void The_default_tile_is_the_cheapest_that_fits_the_memory_budget(int mebibytes, int expected)
    {
        var dir = TestFiles.TempDir();
        var result = Run(TestFiles.Fixture("cbers2b_pan_town_256.tif"), Path.Combine(dir, "out.tif"), (long)mebibytes << 20);
        Assert.Equal(expected, result.TileSize);
    }
}
