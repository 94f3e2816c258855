using SatSR.Pixels;
using SatSR.Raster;

namespace SatSR.Tests.Pixels;

public class NodataFillTests
{
    [Fact]
    public void Valid_pixels_are_untouched_and_holes_take_nearby_values()
    {
        const int w = 40, h = 30;
        var plane = new float[w * h];
        var valid = new byte[w * h];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                // Left wedge is nodata (black), the rest a gentle gradient.
                var inside = x > 15 - y / 3;
                valid[y * w + x] = inside ? (byte)255 : (byte)0;
                plane[y * w + x] = inside ? 0.5f + 0.005f * x : 0f;
            }
        var original = (float[])plane.Clone();
        Assert.True(NodataFill.Fill(plane, 1, valid, w, h));
        for (var i = 0; i < plane.Length; i++)
        {
            if (valid[i] != 0) Assert.Equal(original[i], plane[i]);
            else Assert.InRange(plane[i], 0.5f, 0.5f + 0.005f * w);
        }
    }

    [Fact]
    public void Every_plane_is_filled_with_the_same_mask()
    {
        const int w = 8, h = 8;
        var planes = new float[2 * w * h];
        var valid = new byte[w * h];
        for (var i = 0; i < w * h; i++)
        {
            valid[i] = i % w >= 4 ? (byte)255 : (byte)0;
            planes[i] = valid[i] != 0 ? 0.25f : 0f;
            planes[w * h + i] = valid[i] != 0 ? 0.75f : 0f;
        }
        NodataFill.Fill(planes, 2, valid, w, h);
        Assert.All(planes[..(w * h)], v => Assert.Equal(0.25f, v, 5));
        Assert.All(planes[(w * h)..], v => Assert.Equal(0.75f, v, 5));
    }

    [Fact]
    public void All_nodata_is_reported_and_left_alone()
    {
        var plane = new float[16];
        Assert.False(NodataFill.Fill(plane, 1, new byte[16], 4, 4));
        Assert.All(plane, v => Assert.Equal(0f, v));
    }
}

public class AreaResampleTests
{
    [Fact]
    public void Halving_is_the_mean_of_each_two_by_two_block()
    {
        float[] src = [1, 3, 5, 7, 1, 3, 5, 7, 0, 0, 8, 8, 0, 4, 8, 8];
        var dst = new float[4];
        AreaResample.Downscale(src, 4, 4, dst, 2, 2);
        Assert.Equal([2f, 6f, 1f, 8f], dst);
    }

    [Fact]
    public void Four_to_three_keeps_the_mean_and_constants()
    {
        var rnd = new Random(3);
        var src = Enumerable.Range(0, 16 * 12).Select(_ => (float)rnd.NextDouble()).ToArray();
        var dst = new float[12 * 9];
        AreaResample.Downscale(src, 16, 12, dst, 12, 9);
        Assert.Equal(src.Average(), dst.Average(), 4);

        var flat = Enumerable.Repeat(0.3f, 16 * 12).ToArray();
        AreaResample.Downscale(flat, 16, 12, dst, 12, 9);
        Assert.All(dst, v => Assert.Equal(0.3f, v, 5));
    }
}

public class SampleEncoderTests
{
    [Theory]
    [InlineData(0.2, 1)]      // would round to nodata 0: a hole
    [InlineData(-7.0, 1)]
    [InlineData(0.6, 1)]
    [InlineData(254.6, 255)]
    [InlineData(300.0, 255)]
    [InlineData(17.5, 18)]
    public void Byte_with_nodata_zero_never_writes_zero(double value, double expected)
    {
        Assert.Equal(expected, SampleEncoder.For(RasterDataType.Byte, 0).Encode(value));
    }

    [Fact]
    public void Nodata_at_the_top_steps_down()
    {
        Assert.Equal(254, SampleEncoder.For(RasterDataType.Byte, 255).Encode(255.2));
        Assert.Equal(-32767, SampleEncoder.For(RasterDataType.Int16, -32768).Encode(-40000));
        Assert.Equal(7, SampleEncoder.For(RasterDataType.UInt16, 6).Encode(6.3));
        Assert.Equal(5, SampleEncoder.For(RasterDataType.UInt16, 6).Encode(5.9));
    }

    [Fact]
    public void Valid_range_clamps_and_floats_keep_fractions()
    {
        var e = SampleEncoder.For(RasterDataType.Float32, -9999) with { ValidMin = 0, ValidMax = 1 };
        Assert.Equal(0.25, e.Encode(0.25), 6);
        Assert.Equal(1.0, e.Encode(1.7));
        Assert.Equal(0.0, e.Encode(-3));
    }

    /// <summary>
    /// A valid value equal to a float nodata steps to the neighbouring value of the stored type: one float below −9999
    /// (floats near 9999 are 2⁻¹⁰ apart, doubles 2⁻³⁹), or above when the value was above and only rounding made it nodata.
    /// </summary>
    [Fact]
    public void Float_nodata_steps_to_the_neighbouring_value_of_the_stored_type()
    {
        Assert.Equal(-9999 - 1.0 / 1024, SampleEncoder.For(RasterDataType.Float32, -9999).Encode(-9999));
        Assert.Equal(-9999 + 1.0 / 1024, SampleEncoder.For(RasterDataType.Float32, -9999).Encode(-9998.9999));
        Assert.Equal(-9999 - Math.Pow(2, -39), SampleEncoder.For(RasterDataType.Float64, -9999).Encode(-9999));
    }
}
