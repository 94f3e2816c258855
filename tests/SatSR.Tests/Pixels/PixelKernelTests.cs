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
        Assert.True(NodataFill.Fill(plane, 1, valid, w, h, new float[NodataFill.ScratchLength(w, h)]));
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
        NodataFill.Fill(planes, 2, valid, w, h, new float[NodataFill.ScratchLength(w, h)]);
        Assert.All(planes[..(w * h)], v => Assert.Equal(0.25f, v, 5));
        Assert.All(planes[(w * h)..], v => Assert.Equal(0.75f, v, 5));
    }

    [Fact]
    public void A_mirror_symmetric_hole_is_filled_mirror_symmetrically()
    {
        // Values and mask both symmetric about the vertical and the horizontal centre line: the fill has nothing to
        // tell left from right or top from bottom, so filled pixel (x, y) must equal (w−1−x, y) and (x, h−1−y). A
        // coarser level's pixel centres sit at fine (2i + 0.5); pulling from them anywhere else shifts the fill
        // towards one side.
        const int w = 16, h = 12;
        var plane = new float[w * h];
        var valid = new byte[w * h];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var inside = x is >= 3 and < 13 && y is >= 2 and < 10;
                valid[y * w + x] = inside ? (byte)0 : (byte)255;
                plane[y * w + x] = inside ? 0f : 0.01f * (x - 7.5f) * (x - 7.5f) + 0.02f * (y - 5.5f) * (y - 5.5f);
            }
        Assert.True(NodataFill.Fill(plane, 1, valid, w, h, new float[NodataFill.ScratchLength(w, h)]));
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                Assert.Equal(plane[y * w + x], plane[y * w + w - 1 - x], 5);
                Assert.Equal(plane[y * w + x], plane[(h - 1 - y) * w + x], 5);
            }
    }

    [Fact]
    public void All_nodata_is_reported_and_left_alone()
    {
        var plane = new float[16];
        Assert.False(NodataFill.Fill(plane, 1, new byte[16], 4, 4, new float[NodataFill.ScratchLength(4, 4)]));
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
        AreaResample.Downscale(src, 4, 4, dst, 2, 2, new float[2 * 4]);
        Assert.Equal([2f, 6f, 1f, 8f], dst);
    }

    [Fact]
    public void Four_to_three_keeps_the_mean_and_constants()
    {
        var rnd = new Random(3);
        var src = Enumerable.Range(0, 16 * 12).Select(_ => (float)rnd.NextDouble()).ToArray();
        var dst = new float[12 * 9];
        AreaResample.Downscale(src, 16, 12, dst, 12, 9, new float[12 * 12]);
        Assert.Equal(src.Average(), dst.Average(), 4);

        var flat = Enumerable.Repeat(0.3f, 16 * 12).ToArray();
        AreaResample.Downscale(flat, 16, 12, dst, 12, 9, new float[12 * 12]);
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

    /// <summary>
    /// A row of valid pixels is encoded by the same rule as one value: rounding half away from zero, clamping and the
    /// step off nodata, in every position of a row longer than two vector widths (its groups and its tail). Values are
    /// multiples of 1/256 so the unit scale holds them exactly; expected samples worked out by hand.
    /// </summary>
    [Fact]
    public void A_row_of_bytes_is_encoded_as_each_value_alone()
    {
        double[] values = [17.5, 0.25, 127.49609375, -3, 300, 254.5, 1.5, 0.5, 2.25, 99.5, 100.5, 42, 7.75, 8.25, 200.5, 255, 0, 16.5, 3.5, 250.5, 128.5, 64.25, 32.75, 12.5, 9.5];
        double[] expected = [18, 1, 127, 1, 255, 255, 2, 1, 2, 100, 101, 42, 8, 8, 201, 255, 1, 17, 4, 251, 129, 64, 33, 13, 10];
        Assert.Equal(expected, Row<byte>(RasterDataType.Byte, 0, new BandRange(0, 256), values));
    }

    [Fact]
    public void A_row_of_negative_int16_rounds_half_away_from_zero_and_steps_off_nodata()
    {
        double[] values = [-17.5, -2.5, 2.5, -0.25, -256, -255.5, 0.5, -0.5, -1.5, 3.75, -3.75, 100.5, -100.5, 10, -10, 255.5, -128.5, 7.5, -7.5, 1.25];
        // Nodata −256: −256 itself steps down to −257 (the clamp's low end is the type's, far below); −255.5 rounds onto
        // it from above and steps up to −255.
        double[] expected = [-18, -3, 3, 0, -257, -255, 1, -1, -2, 4, -4, 101, -101, 10, -10, 256, -129, 8, -8, 1];
        Assert.Equal(expected, Row<short>(RasterDataType.Int16, -256, new BandRange(-256, 256), values));
    }

    /// <summary>
    /// Rows longer than two vector groups (32 bytes or 16 shorts with AVX2): whole groups are stored a vector at a time,
    /// a group that meets nodata takes the scalar rule, the tail goes one by one, and every sample comes out as it would
    /// alone. Expected samples by the rule worked by hand: k + ½ rounds to k + 1 and −(k + ½) to −(k + 1) (half away
    /// from zero); above the type's top it clamps; a value on nodata steps off it.
    /// </summary>
    [Fact]
    public void Long_rows_of_8_and_16_bit_samples_are_encoded_as_each_value_alone()
    {
        var bytes = Enumerable.Range(0, 70).Select(k => k + 0.5).ToArray();
        bytes[40] = 0;   // nodata 0: steps up to 1
        var expectedBytes = Enumerable.Range(0, 70).Select(k => k == 40 ? 1.0 : k + 1).ToArray();
        Assert.Equal(expectedBytes, Row<byte>(RasterDataType.Byte, 0, new BandRange(0, 256), bytes));

        // Above 32767 (a lane narrowed with signed saturation would stop there) and past the top of UInt16.
        var words = Enumerable.Range(0, 50).Select(k => 32767.5 + 400 * k).ToArray();
        words[10] = 70000;
        var expectedWords = Enumerable.Range(0, 50).Select(k => k == 10 ? 65535.0 : 32768 + 400 * k).ToArray();
        Assert.Equal(expectedWords, Row<ushort>(RasterDataType.UInt16, 7, new BandRange(0, 131072), words));

        var shorts = Enumerable.Range(0, 50).Select(k => -(1000.5 + k)).ToArray();
        shorts[30] = -256;   // nodata −256: steps down to −257
        var expectedShorts = Enumerable.Range(0, 50).Select(k => k == 30 ? -257.0 : -(1001.0 + k)).ToArray();
        Assert.Equal(expectedShorts, Row<short>(RasterDataType.Int16, -256, new BandRange(-2048, 2048), shorts));
    }

    private static double[] Row<T>(RasterDataType type, double nodata, BandRange range, double[] values) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var units = values.Select(v => range.ToUnit(v)).ToArray();
        Assert.Equal(values, units.Select(range.FromUnit));
        var samples = new T[values.Length];
        SampleEncoder.For(type, nodata).Prepare().EncodeUnits<T>(units, range, samples);
        return samples.Select(double.CreateTruncating).ToArray();
    }
}
