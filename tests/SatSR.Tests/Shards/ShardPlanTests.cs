using SatSR.Pipeline.Options;
using SatSR.Pipeline.Sharding;
using SatSR.Tiling;

namespace SatSR.Tests.Shards;

/// <summary>Which output rows each shard writes and which tiles it infers, against hand-computed cases.</summary>
public class ShardPlanTests
{
    /// <summary>1000 rows in blocks of 256: four block rows, 0–256, 256–512, 512–768 and 768–1000 (the last short).</summary>
    [Theory]
    [InlineData(1, 0, 0, 1000)]
    [InlineData(2, 0, 0, 512)]
    [InlineData(2, 1, 512, 1000)]
    [InlineData(3, 0, 0, 256)]      // 4 block rows over 3 shards: ⌊4·i/3⌋ = 0, 1, 2, 4
    [InlineData(3, 1, 256, 512)]
    [InlineData(3, 2, 512, 1000)]
    [InlineData(4, 3, 768, 1000)]
    public void Rows_are_whole_block_rows_and_the_last_shard_ends_at_the_bottom(int count, int index, int from, int to) =>
        Assert.Equal(new RowRange(from, to), ShardPlan.Rows(1000, 256, new Shard(index, count)));

    /// <summary>
    /// For B block rows over N shards, worked out here by counting rather than by the plan's formula: the shards
    /// follow one another from row 0 to the bottom, each starting on a block row, and each gets ⌊B/N⌋ or ⌈B/N⌉ block
    /// rows, B mod N of them the larger share, the first the smaller and the last the larger. The last case has more
    /// block rows × shards than an int holds.
    /// </summary>
    [Theory]
    [InlineData(1000, 256, 4)]
    [InlineData(10 * 16, 16, 4)]          // 2, 3, 2, 3: not 2, 2, 2, 4
    [InlineData(7 * 512 - 5, 512, 5)]      // 7 block rows, the last short
    [InlineData(23 * 16, 16, 7)]
    [InlineData(97 * 32 + 1, 32, 13)]
    [InlineData(100, 16, 7)]
    [InlineData(2_000_000_000, 16, 100)]
    public void Rows_cover_the_image_once_in_shares_that_differ_by_at_most_one_block_row(int height, int block, int count)
    {
        var blockRows = (height + block - 1) / block;
        var ranges = Enumerable.Range(0, count).Select(i => ShardPlan.Rows(height, block, new Shard(i, count))).ToList();
        Assert.Equal(0, ranges[0].From);
        Assert.Equal(height, ranges[^1].To);
        for (var i = 1; i < count; i++) Assert.Equal(ranges[i - 1].To, ranges[i].From);
        Assert.All(ranges, r => Assert.Equal(0, r.From % block));

        int small = blockRows / count, large = small + (blockRows % count == 0 ? 0 : 1);
        var shares = ranges.Select(r => (r.Height + block - 1) / block).ToList();
        Assert.All(shares, s => Assert.True(s == small || s == large, $"{s} block rows, not {small} or {large}"));
        if (blockRows % count != 0) Assert.Equal(blockRows % count, shares.Count(s => s == large));
        Assert.Equal((small, large), (shares[0], shares[^1]));
    }

    [Fact]
    public void More_shards_than_block_rows_is_a_one_line_error()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => ShardPlan.Rows(1000, 256, new Shard(0, 5)));
        Assert.Equal("Shard 0/5: the output has 4 block row(s) of 256 pixels; split it into at most 4", e.Message);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("6/7", 6, 7)]
    public void Shard_parses_i_of_n(string text, int index, int count) => Assert.Equal(new Shard(index, count), Shard.Parse(text));

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void Shard_refuses_what_is_not_i_of_n(string text) =>
        Assert.StartsWith($"Shard {text}: expected i/N", Assert.Throws<InvalidOptionsException>(() => Shard.Parse(text)).Message);

    /// <summary>
    /// 64×64 input in tiles of 16 read with 8 overlap: reads start at rows 0, 8, 24, 32 and are 32 high, at ×4 output
    /// rows 0–128, 32–160, 96–224 and 128–256; four tile columns. Feathered, a weight is 0 within half the scaled
    /// overlap (16) of a read edge inside the image, so the rows reach 0–112, 48–144, 112–208 and 144–256. Two shards of
    /// 16-row blocks: the even split is row 128, where two reaches straddle; of the block edges within a tile row
    /// (64 rows) of it, 112 and 144 are straddled by one reach only, and 112 is the first. The first shard infers tile
    /// rows 0–1, the second 1–3: 20 tiles instead of 16. Hard-cropped, each row reaches its core (0–64, …, 192–256):
    /// the split stays at 128, a core edge, and the shards infer 8 + 8 tiles.
    /// </summary>
    [Fact]
    public void A_shard_infers_the_tile_rows_whose_blend_weights_reach_into_its_rows()
    {
        var plan = TilePlan.Create(64, 64, 16, 8);
        var feather = ShardLayout.For(plan, 4, BlendMode.Feather, 16);
        Assert.Equal([(0, 112), (48, 144), (112, 208), (144, 256)], BlendWeights.Reach(plan.RowAxis, 4, BlendMode.Feather));
        Assert.Equal(new RowRange(0, 112), feather.Rows(new Shard(0, 2)));
        Assert.Equal(new RowRange(112, 256), feather.Rows(new Shard(1, 2)));
        Assert.Equal([true, true, false, false], Enumerable.Range(0, 4).Select(r => feather.Needs(r, new RowRange(0, 112))));
        Assert.Equal([false, true, true, true], Enumerable.Range(0, 4).Select(r => feather.Needs(r, new RowRange(112, 256))));
        Assert.Equal((8, 12, 16), (feather.Tiles(new Shard(0, 2)), feather.Tiles(new Shard(1, 2)), feather.Tiles(new Shard(0, 1))));
        Assert.Equal(0.25, feather.Halo(2), 12);

        var hardcrop = ShardLayout.For(plan, 4, BlendMode.HardCrop, 16);
        Assert.Equal([(0, 64), (64, 128), (128, 192), (192, 256)], BlendWeights.Reach(plan.RowAxis, 4, BlendMode.HardCrop));
        Assert.Equal(new RowRange(0, 128), hardcrop.Rows(new Shard(0, 2)));
        Assert.Equal((8, 8), (hardcrop.Tiles(new Shard(0, 2)), hardcrop.Tiles(new Shard(1, 2))));
        Assert.Equal(0, hardcrop.Halo(2));
    }

    /// <summary>
    /// A 40000² scene at ×4 in 512-row blocks, overlap 24 (realesr-general-x4v3), tiles up to 480 (about a shard's
    /// default), 16 shards: the tiles of the plan's choice counted here from its grid. With tile T there are
    /// R = ⌈40000/T⌉ rows of R tiles; row r reads T + 48 rows from clamp(rT − 24, 0, 40000 − T − 48). Hard-cropped it adds
    /// to its core's output rows only; feathered, to all rows of its read window but the 48 (half the overlap, ×4) next to
    /// an edge inside the image. A shard infers the tile rows that add to its rows; together they infer no more than 5 %
    /// over one run, and none twice hard-cropped.
    /// </summary>
    [Theory]
    [InlineData(BlendMode.Feather)]
    [InlineData(BlendMode.HardCrop)]
    public void Sixteen_shards_of_a_40000_square_scene_reinfer_under_5_percent_and_none_hardcropped(BlendMode blend)
    {
        const int size = 40000, overlap = 24, scale = 4, block = 512, count = 16;
        var choice = ShardPlan.Choose(size, size, overlap, scale, blend, block, count, tile: null, largest: 480);
        int t = choice.Tile, rows = (size + t - 1) / t, read = t + 2 * overlap, half = overlap * scale / 2;
        var layout = ShardLayout.Create(new TilePlan.Axis(size, t, overlap), rows, scale, blend, block);
        long tiles = 0;
        for (var i = 0; i < count; i++)
        {
            var shard = layout.Rows(new Shard(i, count));
            Assert.Equal(0, shard.From % block);
            for (var r = 0; r < rows; r++)
            {
                var top = Math.Clamp(r * t - overlap, 0, size - read) * scale;
                var bottom = top + read * scale;
                var (from, to) = blend == BlendMode.HardCrop
                    ? (r * t * scale, Math.Min(size, (r + 1) * t) * scale)
                    : (top == 0 ? 0 : top + half, bottom == size * scale ? bottom : bottom - half);
                if (from < shard.To && to > shard.From) tiles += rows;
            }
        }
        Assert.Equal((tiles, (long)rows * rows), (choice.Tiles, choice.SingleRunTiles));
        var halo = (double)tiles / ((long)rows * rows) - 1;
        Assert.True(blend == BlendMode.HardCrop ? halo == 0 : halo < 0.05, $"tile {t}: {rows} tile rows, halo {halo:P2}");
    }

    [Theory]
    [InlineData("/data/out.tif", null, 3, 7, "/data/out.part-03-of-07.tif")]
    [InlineData("/data/out.tif", "/parts", 0, 120, "/parts/out.part-000-of-120.tif")]
    public void Part_files_are_named_by_shard_with_sortable_numbers(string output, string? parts, int index, int count, string expected) =>
        Assert.Equal(expected, ShardPart.PathFor(output, parts, new Shard(index, count)));
}
