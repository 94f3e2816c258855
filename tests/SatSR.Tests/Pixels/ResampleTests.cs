using SatSR.Geometry;
using SatSR.Pixels;

namespace SatSR.Tests.Pixels;

public class ResampleAxisTests
{
    [Theory]
    [InlineData(20, 50)]   // ×2.5 enlarging: Lanczos-3
    [InlineData(60, 50)]   // ×3 intermediate down to ×2.5: area
    [InlineData(7, 7)]
    [InlineData(3, 17)]
    public void Every_pixel_s_weights_sum_to_one_and_stay_inside_the_source(int source, int destination)
    {
        var axis = ResampleAxis.Create(source, destination);
        for (var d = 0; d < destination; d++)
        {
            var taps = axis.Taps(d).ToArray();
            Assert.Equal(1.0, taps.Sum(t => t.Weight), 12);
            Assert.All(taps, t => Assert.InRange(t.Index, 0, source - 1));
            Assert.Equal(taps.Select(t => t.Index).Order(), taps.Select(t => t.Index));
        }
    }

    [Fact]
    public void Same_size_is_the_identity()
    {
        var axis = ResampleAxis.Create(9, 9);
        for (var d = 0; d < 9; d++) Assert.Equal([new Tap(d, 1)], axis.Taps(d).ToArray());
    }

    [Fact]
    public void Shrinking_by_a_real_factor_averages_the_covered_area()
    {
        // 5 source pixels onto 2: the first takes pixels 0, 1 and half of 2.
        var axis = ResampleAxis.Create(5, 2);
        Assert.False(axis.Enlarges);
        Assert.Equal([new Tap(0, 0.4), new Tap(1, 0.4), new Tap(2, 0.2)], axis.Taps(0).ToArray());
        Assert.Equal((0, 5), axis.Support(0, 2));
    }

    [Fact]
    public void Enlarging_interpolates_on_pixel_centres_with_lanczos3()
    {
        var axis = ResampleAxis.Create(20, 50);
        Assert.True(axis.Enlarges);
        // Destination pixel 12's centre is at source coordinate 12.5/2.5 = 5 (a source pixel edge: between centres 4.5 and 5.5).
        var taps = axis.Taps(12).ToArray();
        Assert.Equal([2, 3, 4, 5, 6, 7], taps.Select(t => t.Index));
        Assert.Equal(taps[2].Weight, taps[3].Weight, 12);
        Assert.True(taps[1].Weight < 0, "Lanczos' negative lobe");

        // A linear ramp comes back as the ramp at the destination centres, away from the edges (normalised Lanczos-3
        // is not exactly linear-preserving: within 0.02 source pixels).
        var ramp = Enumerable.Range(0, 20).Select(i => 3.0 * i + 1).ToArray();
        for (var d = 8; d < 42; d++)
        {
            var value = axis.Taps(d).ToArray().Sum(t => t.Weight * ramp[t.Index]);
            Assert.InRange((value - 1) / 3 - ((d + 0.5) / 2.5 - 0.5), -0.02, 0.02);
        }
    }

    [Fact]
    public void Bicubic_takes_keys_cubic_at_the_distances_to_the_source_centres()
    {
        // ×2: destination pixel 9's centre is at source coordinate 9.5/2 − 0.5 = 4.25, so sources 3..6 lie 1.25, 0.25,
        // 0.75, 1.75 away. Keys (a = −0.5) by hand: 1.5|x|³ − 2.5|x|² + 1 inside 1, −0.5|x|³ + 2.5|x|² − 4|x| + 2 beyond.
        var taps = ResampleAxis.Bicubic(10, 20).Taps(9).ToArray();
        Assert.Equal([3, 4, 5, 6], taps.Select(t => t.Index));
        Assert.Equal([-0.0703125, 0.8671875, 0.2265625, -0.0234375], taps.Select(t => Math.Round(t.Weight, 12)));
        // Past the edge the taps fold onto the edge pixel: destination 0 (centre −0.25) takes −2, −1, 0 (1.75, 0.75,
        // 0.25 away) all from pixel 0, and 1 (1.25 away).
        var edge = ResampleAxis.Bicubic(10, 20).Taps(0).ToArray();
        Assert.Equal([0, 1], edge.Select(t => t.Index));
        Assert.Equal(-0.0234375 + 0.2265625 + 0.8671875, edge[0].Weight, 12);
        Assert.Equal(-0.0703125, edge[1].Weight, 12);
    }

    [Fact]
    public void Nearest_is_the_source_pixel_under_the_destination_centre()
    {
        Assert.Equal([0, 0, 1, 1, 1, 2, 2, 3, 3, 3], Enumerable.Range(0, 10).Select(d => ResampleAxis.Nearest(d, 4, 10)));
        // On an integer factor it is plain division.
        Assert.All(Enumerable.Range(0, 40), d => Assert.Equal(d / 4, ResampleAxis.Nearest(d, 10, 40)));
    }
}

public class MaskedResamplerTests
{
    [Fact]
    public void Without_nodata_it_matches_area_resample()
    {
        var rnd = new Random(5);
        const int sw = 30, sh = 24, dw = 12, dh = 10;
        var src = Enumerable.Range(0, sw * sh).Select(_ => rnd.NextDouble()).ToArray();
        var expected = new float[dw * dh];
        AreaResample.Downscale(src.Select(v => (float)v).ToArray(), sw, sh, expected, dw, dh, new float[dw * sh]);

        var resampler = new MaskedResampler(ResampleAxis.Create(sw, dw), ResampleAxis.Create(sh, dh));
        var actual = new double[dw * dh];
        var all = new Window(0, 0, sw, sh);
        resampler.Apply(src, Enumerable.Repeat((byte)255, sw * sh).ToArray(), all, new Window(0, 0, dw, dh), actual);
        for (var i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    /// <summary>
    /// A random plane whose left third is nodata holding a wild value: every output pixel, on every row and column, is
    /// the kernel's weighted mean of the valid pixels alone (the plain formula in <see cref="ReferenceResample"/>), and
    /// NaN where no valid pixel weighs.
    /// </summary>
    [Theory]
    [InlineData(20, 26, 50, 65)]   // Lanczos-3 both ways
    [InlineData(60, 45, 50, 30)]   // area both ways
    [InlineData(24, 40, 60, 25)]   // Lanczos-3 across, area down
    public void Nodata_pixels_weigh_nothing_and_every_pixel_follows_the_kernel(int sw, int sh, int dw, int dh)
    {
        var rnd = new Random(11);
        var src = new double[sw * sh];
        var valid = new byte[sw * sh];
        for (var y = 0; y < sh; y++)
            for (var x = 0; x < sw; x++)
            {
                var ok = x >= sw / 3;
                valid[y * sw + x] = ok ? (byte)255 : (byte)0;
                src[y * sw + x] = ok ? rnd.NextDouble() * 100 : 9999;
            }
        var expected = ReferenceResample.Resample(src, valid, sw, sh, dw, dh);
        Assert.Contains(expected, double.IsNaN);

        var dst = new double[dw * dh];
        new MaskedResampler(ResampleAxis.Create(sw, dw), ResampleAxis.Create(sh, dh)).Apply(src, valid, new Window(0, 0, sw, sh), new Window(0, 0, dw, dh), dst);
        for (var i = 0; i < dst.Length; i++)
        {
            if (double.IsNaN(expected[i])) Assert.True(double.IsNaN(dst[i]), $"pixel ({i % dw}, {i / dw}) is {dst[i]}, not NaN");
            else Assert.True(Math.Abs(expected[i] - dst[i]) < 1e-9, $"pixel ({i % dw}, {i / dw}) is {dst[i]}, not {expected[i]}");
        }
    }

    [Fact]
    public void A_window_gives_the_same_pixels_as_the_whole_plane()
    {
        var rnd = new Random(8);
        const int sw = 40, sh = 36, dw = 100, dh = 90;
        var src = Enumerable.Range(0, sw * sh).Select(_ => rnd.NextDouble() * 100).ToArray();
        var valid = Enumerable.Range(0, sw * sh).Select(i => i % 7 == 0 ? (byte)0 : (byte)255).ToArray();
        var resampler = new MaskedResampler(ResampleAxis.Create(sw, dw), ResampleAxis.Create(sh, dh));
        var whole = new double[dw * dh];
        resampler.Apply(src, valid, new Window(0, 0, sw, sh), new Window(0, 0, dw, dh), whole);

        var target = new Window(30, 20, 32, 16);
        var read = resampler.SourceFor(target);
        Assert.True(read.Width < sw && read.Height < sh);
        var part = new double[target.Width * target.Height];
        var srcPart = new double[read.Width * read.Height];
        var validPart = new byte[read.Width * read.Height];
        for (var y = 0; y < read.Height; y++)
            for (var x = 0; x < read.Width; x++)
            {
                srcPart[y * read.Width + x] = src[(read.Row + y) * sw + read.Column + x];
                validPart[y * read.Width + x] = valid[(read.Row + y) * sw + read.Column + x];
            }
        resampler.Apply(srcPart, validPart, read, target, part);
        for (var y = 0; y < target.Height; y++)
            for (var x = 0; x < target.Width; x++)
                Assert.Equal(whole[(target.Row + y) * dw + target.Column + x], part[y * target.Width + x], 9);
    }
}
