using SatSR.Geometry;
using SatSR.Tiling;

namespace SatSR.Tests.Tiling;

public class TilePlanTests
{
    public static TheoryData<int, int, int, int> Sizes => new()
    {
        { 1, 1, 64, 16 },
        { 1, 300, 64, 16 },
        { 300, 1, 64, 16 },
        { 130, 97, 64, 16 },
        { 50, 40, 64, 8 },      // tile larger than the image
        { 257, 513, 128, 32 },
        { 64, 64, 64, 0 },
        { 1000, 17, 100, 40 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Cores_partition_the_image_exactly(int width, int height, int tile, int overlap)
    {
        var plan = TilePlan.Create(width, height, tile, overlap);
        var hits = new int[width * height];
        foreach (var t in plan.Tiles)
        {
            for (var y = t.Core.Row; y < t.Core.Bottom; y++)
                for (var x = t.Core.Column; x < t.Core.Right; x++)
                    hits[y * width + x]++;
        }
        Assert.All(hits, h => Assert.Equal(1, h));
        Assert.Equal(plan.Rows * plan.Columns, plan.Tiles.Count);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_read_window_has_one_shape_inside_the_image_and_holds_its_core_with_overlap(int width, int height, int tile, int overlap)
    {
        var plan = TilePlan.Create(width, height, tile, overlap);
        var bounds = new Window(0, 0, width, height);
        foreach (var t in plan.Tiles)
        {
            Assert.Equal(plan.ReadWidth, t.Read.Width);
            Assert.Equal(plan.ReadHeight, t.Read.Height);
            Assert.True(bounds.Contains(t.Read), $"{t.Read} outside {bounds}");
            Assert.True(t.Read.Contains(t.Core));
            // Context on every side that is not the image edge.
            Assert.True(t.Core.Column - t.Read.Column >= Math.Min(overlap, t.Core.Column));
            Assert.True(t.Read.Right - t.Core.Right >= Math.Min(overlap, width - t.Core.Right));
            Assert.True(t.Core.Row - t.Read.Row >= Math.Min(overlap, t.Core.Row));
            Assert.True(t.Read.Bottom - t.Core.Bottom >= Math.Min(overlap, height - t.Core.Bottom));
        }
    }

    [Fact]
    public void Tiles_are_row_major_and_indexed_by_grid_position()
    {
        var plan = TilePlan.Create(200, 150, 64, 8);
        Assert.Equal((3, 4), (plan.Rows, plan.Columns));
        for (var i = 0; i < plan.Tiles.Count; i++)
        {
            var t = plan.Tiles[i];
            Assert.Equal(i, t.Index);
            Assert.Same(t, plan[t.GridRow, t.GridColumn]);
            Assert.Equal(i / plan.Columns, t.GridRow);
        }
        Assert.Equal(new Window(192, 128, 8, 22), plan.Tiles[^1].Core);
    }

    [Fact]
    public void Tile_larger_than_image_gives_one_tile_covering_it()
    {
        var plan = TilePlan.Create(50, 40, 256, 16);
        var t = Assert.Single(plan.Tiles);
        Assert.Equal(new Window(0, 0, 50, 40), t.Core);
        Assert.Equal(new Window(0, 0, 50, 40), t.Read);
    }

    [Fact]
    public void Tensor_shape_is_rounded_up_to_the_model_requirements()
    {
        var plan = TilePlan.Create(30, 7, 64, 8, new SizeRequirements(Minimum: 8, MultipleOf: 4));
        Assert.Equal((32, 8), (plan.TensorWidth, plan.TensorHeight));
        Assert.Equal((30, 7), (plan.ReadWidth, plan.ReadHeight));
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlan.Create(0, 10, 64, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlan.Create(10, 10, 0, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePlan.Create(10, 10, 64, -1));
    }
}
