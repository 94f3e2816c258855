using SatSR.Pixels;

namespace SatSR.Tests.Pixels;

public class DihedralTests
{
    // 3×3 plane "abc/def/ghi" as 1..9; the expected planes are written out by hand.
    private static readonly float[] Plane = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Theory]
    [InlineData(0, new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(1, new float[] { 3, 6, 9, 2, 5, 8, 1, 4, 7 })]   // a quarter turn counter-clockwise (numpy.rot90)
    [InlineData(2, new float[] { 9, 8, 7, 6, 5, 4, 3, 2, 1 })]   // half turn
    [InlineData(3, new float[] { 7, 4, 1, 8, 5, 2, 9, 6, 3 })]   // a quarter turn clockwise
    [InlineData(4, new float[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 })]   // mirrored left-right
    [InlineData(5, new float[] { 1, 4, 7, 2, 5, 8, 3, 6, 9 })]   // mirrored, then turned: the transpose
    [InlineData(6, new float[] { 7, 8, 9, 4, 5, 6, 1, 2, 3 })]   // mirrored top-bottom
    [InlineData(7, new float[] { 9, 6, 3, 8, 5, 2, 7, 4, 1 })]   // the anti-transpose
    public void Each_transform_moves_pixels_as_drawn(int k, float[] expected)
    {
        var result = new float[9];

        Dihedral.Apply(Plane, result, 3, k);

        Assert.Equal(expected, result);
    }

    [Fact]
    public void The_inverse_puts_every_transform_back()
    {
        for (var k = 0; k < Dihedral.Count; k++)
        {
            var turned = new float[9];
            var back = new double[9];
            Dihedral.Apply(Plane, turned, 3, k);

            Dihedral.AddInverse(turned, back, 3, k);

            Assert.Equal(Plane.Select(v => (double)v), back);
        }
    }
}
