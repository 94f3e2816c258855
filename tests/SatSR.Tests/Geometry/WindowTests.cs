using SatSR.Geometry;

namespace SatSR.Tests.Geometry;

public class WindowTests
{
    [Fact]
    public void Intersect_of_disjoint_windows_is_empty()
    {
        var a = new Window(0, 0, 10, 10);
        var b = new Window(10, 0, 5, 5);
        Assert.True(a.Intersect(b).IsEmpty);
        Assert.False(a.Intersects(b));
    }

    [Fact]
    public void Intersect_clips_to_the_common_area()
    {
        var a = new Window(-4, -4, 20, 12);
        Assert.Equal(new Window(0, 0, 16, 8), a.ClipTo(new Window(0, 0, 100, 100)));
    }

    [Fact]
    public void Pad_Scale_and_RelativeTo_compose()
    {
        var core = new Window(64, 32, 64, 64);
        var read = core.Pad(8);
        Assert.Equal(new Window(56, 24, 80, 80), read);
        Assert.Equal(new Window(224, 96, 320, 320), read.Scale(4));
        Assert.Equal(new Window(8, 8, 64, 64), core.RelativeTo(read));
    }

    [Fact]
    public void GeoTransform_scaled_keeps_origin_and_divides_all_linear_terms()
    {
        var gt = new GeoTransform(1000, 2, 0.5, 5000, 0.25, -2);
        var s = gt.Scaled(4);
        Assert.Equal(new GeoTransform(1000, 0.5, 0.125, 5000, 0.0625, -0.5), s);
        // The same map point: input pixel corner (3, 7) is output pixel corner (12, 28).
        Assert.Equal(gt.Apply(3, 7), s.Apply(12, 28));
    }

    [Fact]
    public void GeoTransform_scaled_per_axis_divides_column_terms_by_one_factor_and_row_terms_by_the_other()
    {
        var gt = new GeoTransform(1000, 2, 0.5, 5000, 0.25, -2);
        var s = gt.Scaled(2.5, 1.25);
        // Input pixel corner (3, 7) is output corner (7.5, 8.75) on the finer grid.
        var (x, y) = gt.Apply(3, 7);
        var (xs, ys) = s.Apply(7.5, 8.75);
        Assert.Equal(x, xs, 9);
        Assert.Equal(y, ys, 9);
        Assert.Equal(new GeoTransform(1000, 0.8, 0.4, 5000, 0.1, -1.6), s);
    }

    [Fact]
    public void GeoTransform_for_window_moves_origin_to_window_corner()
    {
        var gt = new GeoTransform(100, 10, 1, 200, 2, -10);
        var w = gt.ForWindow(new Window(5, 3, 10, 10));
        Assert.Equal(gt.Apply(5, 3), w.Apply(0, 0));
        Assert.Equal(gt.Apply(7, 9), w.Apply(2, 6));
    }
}
