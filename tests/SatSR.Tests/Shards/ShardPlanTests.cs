using SatSR.Pipeline;
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
        Assert.Equal("--shard 0/5: the output has 4 block row(s) of 256 pixels; split it into at most 4", e.Message);
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
        Assert.StartsWith($"--shard {text}: expected i/N", Assert.Throws<InvalidOptionsException>(() => Shard.Parse(text)).Message);

    /// <summary>
    /// 64×64 input in tiles of 16 read with 8 overlap: reads start at rows 0, 8, 24, 32 and are 32 high, at ×4 output
    /// rows 0–128, 32–160, 96–224 and 128–256; four tile columns. Two shards of 16-row blocks split at row 128:
    /// the first touches tile rows 0–2, the second 1–3, so 24 tiles are inferred instead of 16 (50 % halo).
    /// </summary>
    [Fact]
    public void A_shard_infers_the_tile_rows_that_reach_into_its_rows()
    {
        var plan = TilePlan.Create(64, 64, 16, 8);
        Assert.Equal(new RowRange(0, 128), ShardPlan.Rows(256, 16, new Shard(0, 2)));
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(r => ShardPlan.Touches(plan, 4, r, new RowRange(0, 128))));
        Assert.Equal([false, true, true, true], Enumerable.Range(0, 4).Select(r => ShardPlan.Touches(plan, 4, r, new RowRange(128, 256))));
        Assert.Equal(12, ShardPlan.Tiles(plan, 4, 16, new Shard(0, 2)));
        Assert.Equal(12, ShardPlan.Tiles(plan, 4, 16, new Shard(1, 2)));
        Assert.Equal(16, ShardPlan.Tiles(plan, 4, 16, new Shard(0, 1)));
    }

    [Theory]
    [InlineData("/data/out.tif", null, 3, 7, "/data/out.part-03-of-07.tif")]
    [InlineData("/data/out.tif", "/parts", 0, 120, "/parts/out.part-000-of-120.tif")]
    public void Part_files_are_named_by_shard_with_sortable_numbers(string output, string? parts, int index, int count, string expected) =>
        Assert.Equal(expected, ShardPart.PathFor(output, parts, new Shard(index, count)));
}
