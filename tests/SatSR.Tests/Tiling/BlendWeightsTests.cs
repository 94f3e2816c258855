using SatSR.Tiling;

namespace SatSR.Tests.Tiling;

public class BlendWeightsTests
{
    [Theory]
    [InlineData(130, 97, 64, 16, 4, BlendMode.Feather)]
    [InlineData(300, 1, 64, 16, 2, BlendMode.Feather)]
    [InlineData(257, 190, 100, 40, 3, BlendMode.Feather)]
    [InlineData(130, 97, 64, 16, 4, BlendMode.HardCrop)]
    [InlineData(64, 64, 64, 0, 4, BlendMode.Feather)]
    public void Weights_of_all_tiles_sum_to_one_at_every_output_pixel(int width, int height, int tile, int overlap, int scale, BlendMode mode)
    {
        var plan = TilePlan.Create(width, height, tile, overlap);
        var weights = BlendWeights.Create(plan, scale, mode);
        var sum = new double[width * scale * height * scale];
        foreach (var t in plan.Tiles)
        {
            var area = t.Read.Scale(scale);
            var rows = weights.Rows(t.GridRow);
            var cols = weights.Columns(t.GridColumn);
            Assert.Equal(area.Height, rows.Length);
            Assert.Equal(area.Width, cols.Length);
            for (var y = 0; y < area.Height; y++)
                for (var x = 0; x < area.Width; x++)
                    sum[(area.Row + y) * width * scale + area.Column + x] += rows[y] * cols[x];
        }
        Assert.All(sum, s => Assert.InRange(s, 1 - 1e-5, 1 + 1e-5));
    }

    [Fact]
    public void Feather_weights_change_gradually_across_the_overlap()
    {
        var plan = TilePlan.Create(256, 64, 64, 16);
        var weights = BlendWeights.Create(plan, 4, BlendMode.Feather);
        for (var c = 0; c < plan.Columns; c++)
        {
            var w = weights.Columns(c);
            for (var x = 1; x < w.Length; x++)
                Assert.True(Math.Abs(w[x] - w[x - 1]) < 0.05f, $"column {c} jumps at {x}: {w[x - 1]} → {w[x]}");
        }
    }

    [Fact]
    public void Interior_tiles_ramp_symmetrically_and_meet_at_the_core_boundary()
    {
        // 384 columns in 64-pixel cores with 16 pixels of overlap, ×1: tile 1 reads columns 48..143, tile 2 112..207 and
        // tile 3 176..271 (96 each). Only tiles 1 and 2 cover 112..143, and their cores meet between columns 127 and 128.
        // Each inner edge gets no weight over its overlap/2 = 8 nearest pixels, then a raised cosine rises over 16
        // pixels centred on the core boundary 127.5: at column 127, half a pixel before it, tile 1 weighs
        // 0.5 + 0.5·sin(π/32) and tile 2 the rest. Tile 2 has an interior neighbour on both sides: its weights mirror.
        var plan = TilePlan.Create(384, 64, 64, 16);
        var weights = BlendWeights.Create(plan, 1, BlendMode.Feather);
        Assert.Equal([48, 112, 176], new[] { plan[0, 1].Read.Column, plan[0, 2].Read.Column, plan[0, 3].Read.Column });
        var w1 = weights.Columns(1);
        var w2 = weights.Columns(2);
        var half = 0.5 * Math.Sin(Math.PI / 32); // 0.0490085701647803
        Assert.Equal(0.5 + half, w1[127 - 48], 6);
        Assert.Equal(0.5 - half, w1[128 - 48], 6);
        Assert.Equal(0.5 - half, w2[127 - 112], 6);
        Assert.Equal(0.5 + half, w2[128 - 112], 6);
        Assert.Equal(96, w2.Length);
        for (var x = 0; x < 8; x++)
        {
            Assert.Equal(0f, w2[x]);
            Assert.Equal(0f, w2[w2.Length - 1 - x]);
        }
        Assert.True(w2[8] > 0 && w2[w2.Length - 1 - 8] > 0);
        for (var x = 0; x < w2.Length; x++) Assert.Equal(w2[x], w2[w2.Length - 1 - x], 6);
    }

    [Fact]
    public void Hard_crop_takes_each_pixel_from_the_tile_whose_core_holds_it()
    {
        var plan = TilePlan.Create(200, 10, 64, 16);
        var weights = BlendWeights.Create(plan, 2, BlendMode.HardCrop);
        var t = plan[0, 1];
        var cols = weights.Columns(1);
        for (var x = 0; x < cols.Length; x++)
        {
            var inCore = t.Read.Column * 2 + x >= t.Core.Column * 2 && t.Read.Column * 2 + x < t.Core.Right * 2;
            Assert.Equal(inCore ? 1f : 0f, cols[x]);
        }
    }
}
