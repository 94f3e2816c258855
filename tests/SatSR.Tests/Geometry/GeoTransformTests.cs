using SatSR.Geometry;

namespace SatSR.Tests.Geometry;

public class GeoTransformTests
{
    [Fact]
    public void To_pixel_inverts_a_rotated_transform()
    {
        // Pixel (4, 6) by hand: X = 100 + 4·2 + 6·1 = 114, Y = 50 + 4·0.5 − 6·3 = 34.
        var t = new GeoTransform(100, 2, 1, 50, 0.5, -3);
        Assert.Equal((114.0, 34.0), t.Apply(4, 6));
        var (column, row) = t.ToPixel(114, 34);
        Assert.Equal(4, column, 12);
        Assert.Equal(6, row, 12);
    }

    [Fact]
    public void A_singular_transform_has_no_inverse()
    {
        var t = new GeoTransform(0, 1, 2, 0, 2, 4);   // the row direction is twice the column direction
        Assert.True(t.IsSingular);
        Assert.Throws<InvalidOperationException>(() => t.ToPixel(1, 1));
    }
}
