using SatSR.Geometry;

namespace SatSR.Tests.Geometry;

public class IntervalTests
{
    [Theory]
    [InlineData(0, 10, 10, 20, false)] // touching at an edge: pixel 9 and pixel 10 are neighbours, not shared
    [InlineData(10, 20, 0, 10, false)]
    [InlineData(0, 10, 9, 20, true)] // pixel 9 shared
    [InlineData(9, 20, 0, 10, true)]
    [InlineData(0, 10, 3, 5, true)] // one inside the other
    [InlineData(3, 5, 0, 10, true)]
    [InlineData(0, 10, 0, 10, true)]
    [InlineData(0, 4, 6, 9, false)] // apart
    [InlineData(6, 9, 0, 4, false)]
    public void Overlapping_means_sharing_a_pixel(int start, int end, int otherStart, int otherEnd, bool expected)
    {
        Assert.Equal(expected, new Interval(start, end).Overlaps(new Interval(otherStart, otherEnd)));
    }
}
