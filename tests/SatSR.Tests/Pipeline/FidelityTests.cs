using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tests.Models;
using Xunit.Abstractions;

namespace SatSR.Tests.Pipeline;

/// <summary>The output carries the input's data faithfully: bands, types, value scale, and consistency with the input.</summary>
public class FidelityTests(ITestOutputHelper output)
{
    private static UpscaleOptions Options(string input, string outputPath) => TestModels.GeneralX4OnCpu(input, outputPath);

    [Fact]
    public void Six_bands_keep_their_order_type_colours_and_descriptions()
    {
        var dir = TestFiles.TempDir();
        var colours = new[] { ColorInterpretation.Blue, ColorInterpretation.Green, ColorInterpretation.Red, ColorInterpretation.Undefined, ColorInterpretation.Undefined, ColorInterpretation.Gray };
        var input = TestRasters.Crop("landsat7_etm_6band.tif", new Window(150, 150, 48, 48), Path.Combine(dir, "in.tif"),
            p => p with { Bands = p.Bands.Select((b, i) => b with { Description = $"ETM+ band {i + 1}", ColorInterpretation = colours[i] }).ToList() });
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")));

        var before = TestRasters.ReadAll(input, out var p);
        var after = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal(p.DataType, q.DataType);
        Assert.Equal(p.Bands.Select(b => (b.Description, b.ColorInterpretation)), q.Bands.Select(b => (b.Description, b.ColorInterpretation)));
        // Each output band, averaged back down, is its own input band: no band moved.
        for (var b = 0; b < 6; b++)
        {
            var psnr = TestRasters.Psnr(Plane(before, b, p), AreaAverage(Plane(after, b, q), q.Width, q.Height, 4));
            Assert.True(psnr > 30, $"band {b + 1}: {psnr:F1} dB");
        }
    }

    [Fact]
    public void Rgb_stays_rgb()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, 48, 48), Path.Combine(dir, "in.tif"));
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")));
        using var ds = RasterDataset.Open(result.OutputPath);
        Assert.Equal([ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue], ds.Profile.Bands.Select(b => b.ColorInterpretation));
        Assert.Equal(RasterDataType.Byte, ds.Profile.DataType);
    }

    [Fact]
    public void Bands_option_picks_the_rgb_triple_and_the_bands_written()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("landsat7_etm_6band.tif", new Window(150, 150, 48, 48), Path.Combine(dir, "in.tif"),
            p => p with { Bands = p.Bands.Select((b, i) => b with { Description = $"ETM+ band {i + 1}" }).ToList() });
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { Bands = [3, 2, 1, 5] });

        var before = TestRasters.ReadAll(input, out var p);
        var after = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal(["ETM+ band 1", "ETM+ band 2", "ETM+ band 3", "ETM+ band 5"], q.Bands.Select(b => b.Description));
        int[] source = [0, 1, 2, 4];
        for (var o = 0; o < 4; o++)
        {
            var psnr = TestRasters.Psnr(Plane(before, source[o], p), AreaAverage(Plane(after, o, q), q.Width, q.Height, 4));
            Assert.True(psnr > 30, $"output band {o + 1}: {psnr:F1} dB");
        }
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(Options(input, Path.Combine(dir, "out7.tif")) with { Bands = [7] }));
        Assert.Contains("Bands 7", e.Message);
        Assert.Equal((nameof(UpscaleOptions.Bands), 7), (e.Option?.Name, e.Value));
    }

    [Fact]
    public void Alpha_is_copied_nearest_neighbour_and_never_upscaled()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "rgba.tif");
        var window = new Window(400, 400, 40, 40);
        using (var src = RasterDataset.Open(TestFiles.Fixture("cbers_rgb342_20m.tif")))
        {
            var n = window.Width * window.Height;
            var values = new double[4 * n];
            src.Read<double>(window, [1, 2, 3], values);
            // Opaque but for a transparent left third, with a half-transparent stripe the network must not smooth.
            for (var i = 0; i < n; i++) values[3 * n + i] = i % window.Width < 13 ? 0 : i % window.Width < 20 ? 128 : 255;
            var profile = src.Profile with
            {
                Width = window.Width,
                Height = window.Height,
                Transform = src.Profile.Transform?.ForWindow(window),
                Bands = [.. src.Profile.Bands, new BandInfo("alpha", ColorInterpretation.Alpha, null, MaskFlags.Alpha | MaskFlags.PerDataset)],
            };
            using var dst = RasterDataset.Create(input, profile, new Dictionary<string, string> { ["ALPHA"] = "UNASSOCIATED" });
            dst.Write<double>(new Window(0, 0, window.Width, window.Height), [1, 2, 3, 4], values);
        }
        var before = TestRasters.ReadAll(input, out var p);
        Assert.Equal(ColorInterpretation.Alpha, p.Bands[3].ColorInterpretation);
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")));
        var after = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal(ColorInterpretation.Alpha, q.Bands[3].ColorInterpretation);
        var alphaIn = Plane(before, 3, p);
        var alphaOut = Plane(after, 3, q);
        for (var y = 0; y < q.Height; y++)
            for (var x = 0; x < q.Width; x++)
            {
                var a = alphaIn[y / 4 * p.Width + x / 4];
                Assert.Equal(a, alphaOut[y * q.Width + x]);
                if (a == 0) Assert.Equal(0, after[y * q.Width + x]);
            }
    }

    /// <summary>
    /// 11-bit data in any integer type (values ×8), or reflectance-like floats (×0.01), is the same picture as the 8-bit file. Given the same range the
    /// network sees identical input, so the output must be the 8-bit run's, ×8 (only rounding differs). With no option
    /// integers map 0..2047 (the bit depth their maximum needs), the 8-bit run's own mapping; floats map 0..4 (the power
    /// of two above 2.55), a darker picture for the network, so they get a looser bound.
    /// </summary>
    [Theory]
    [InlineData(RasterDataType.UInt16, 8.0)]
    [InlineData(RasterDataType.Int16, 8.0)]
    [InlineData(RasterDataType.UInt32, 8.0)]
    [InlineData(RasterDataType.Int32, 8.0)]
    [InlineData(RasterDataType.Float32, 0.01)]
    [InlineData(RasterDataType.Float64, 0.01)]
    public void Other_types_round_trip_and_match_the_8_bit_run(RasterDataType type, double factor)
    {
        var dir = TestFiles.TempDir();
        var window = new Window(100, 100, 64, 64);
        var eight = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in8.tif"));
        var wide = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in.tif"), p => p with { DataType = type }, v => v * factor);
        var reference = TestRasters.ReadAll(Upscaler.Run(Options(eight, Path.Combine(dir, "out8.tif"))).OutputPath, out _);

        double Run(string name, IReadOnlyList<RangeOverride> ranges)
        {
            var result = TestRasters.ReadAll(Upscaler.Run(Options(wide, Path.Combine(dir, name)) with { Ranges = ranges }).OutputPath, out var q);
            Assert.Equal(type, q.DataType);
            return TestRasters.Psnr(reference, result.Select(v => v / factor).ToArray());
        }
        var same = Run("same.tif", [new RangeOverride(null, 0, 255 * factor)]);
        var automatic = Run("auto.tif", []);
        output.WriteLine($"{type} (values ×{factor}) vs 8-bit run: {same:F2} dB with --range 0,{255 * factor}, {automatic:F2} dB with no option");
        Assert.True(same >= 40, $"{same:F2} dB");
        Assert.True(automatic >= (factor > 1 ? 40 : 30), $"{automatic:F2} dB");
    }

    /// <summary>
    /// 32-bit integers with nodata inside the data range (Int32: values −1000..1040 and nodata 0; UInt32: 0..2040 and
    /// nodata 1000, the town ×8 shifted): many valid outputs round onto nodata and must step off it. Output pixels are
    /// nodata exactly where their input pixel (x ÷ 4, y ÷ 4) is; every other one is a valid value.
    /// </summary>
    [Theory]
    [InlineData(RasterDataType.Int32, -1000.0, 0.0)]
    [InlineData(RasterDataType.UInt32, 0.0, 1000.0)]
    public void Thirty_two_bit_valid_pixels_never_come_out_as_a_nodata_inside_their_range(RasterDataType type, double offset, double nodata)
    {
        using var dir = new TempFolder();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 100, 64, 64), dir.File("in.tif"),
            p => p with { DataType = type, Bands = [p.Bands[0] with { Nodata = nodata }] }, v => v * 8 + offset);
        var result = Upscaler.Run(Options(input, dir.File("out.tif")));
        var src = TestRasters.ReadAll(input, out var p);
        var dst = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal((type, nodata), (q.DataType, q.Bands[0].Nodata));

        int beside = 0, wrong = 0;
        for (var y = 0; y < q.Height; y++)
            for (var x = 0; x < q.Width; x++)
            {
                var inputValid = src[y / 4 * p.Width + x / 4] != nodata;
                var v = dst[y * q.Width + x];
                if (inputValid && Math.Abs(v - nodata) == 1) beside++;
                if (inputValid == (v == nodata)) wrong++;
            }
        output.WriteLine($"{type}, nodata {nodata}: {beside} valid output pixels one step off it, {wrong} wrong");
        Assert.True(beside > 10, "the picture must have valid values next to nodata");
        Assert.Equal(0, wrong);
    }

    /// <summary>
    /// The same 11-bit picture, now declaring its bit depth (NBITS=11, as 11- and 12-bit products do): with no option
    /// at all it maps 0..2047 as the 8-bit file maps 0..255, so the output is the 8-bit run's, ×8.
    /// </summary>
    [Fact]
    public void Declared_11_bit_data_matches_the_8_bit_run_without_options()
    {
        var dir = TestFiles.TempDir();
        var window = new Window(100, 100, 64, 64);
        var eight = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in8.tif"));
        var eleven = TestRasters.Crop("cbers2b_pan_town_256.tif", window, Path.Combine(dir, "in11.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8, new Dictionary<string, string> { ["NBITS"] = "11" });
        using (var check = RasterDataset.Open(eleven)) Assert.Equal(11, check.Profile.BitDepth);

        var reference = TestRasters.ReadAll(Upscaler.Run(Options(eight, Path.Combine(dir, "out8.tif"))).OutputPath, out _);
        var result = TestRasters.ReadAll(Upscaler.Run(Options(eleven, Path.Combine(dir, "out11.tif"))).OutputPath, out var q);
        var psnr = TestRasters.Psnr(reference, result.Select(v => v / 8).ToArray());
        output.WriteLine($"UInt16 NBITS=11 (values ×8), no options, vs 8-bit run: {psnr:F2} dB");
        Assert.Equal(RasterDataType.UInt16, q.DataType);
        Assert.True(psnr >= 40, $"{psnr:F2} dB");
        Assert.True(result.Max() <= 2047, $"max {result.Max()}");
    }

    [Fact]
    public void Tiled_16_bit_run_has_no_brightness_steps_between_tiles()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(80, 80, 96, 96), Path.Combine(dir, "in.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8);
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { TileSize = 32, Overlap = 8 });
        var img = TestRasters.ReadAll(result.OutputPath, out var q);
        int w = q.Width, step = 32 * 4;
        double across = 0, inside = 0;
        long nAcross = 0, nInside = 0;
        for (var y = 0; y < q.Height; y++)
            for (var x = 1; x < w; x++)
            {
                // Horizontal and vertical neighbours (transposed index); a tile boundary lies between x−1 and x.
                var d = Math.Abs(img[y * w + x] - img[y * w + x - 1]) + Math.Abs(img[x * w + y] - img[(x - 1) * w + y]);
                if (x % step == 0) { across += d; nAcross += 2; }
                else { inside += d; nInside += 2; }
            }
        across /= nAcross;
        inside /= nInside;
        output.WriteLine($"mean |difference| of neighbours: across tile boundaries {across:F2}, inside tiles {inside:F2}");
        Assert.True(across <= inside, $"{across:F2} > {inside:F2}");
    }

    /// <summary>
    /// The range is measured once over the whole image, never per tile: a UInt16 RGB whose quarters differ in
    /// brightness, so that each tile's own percentiles differ by thousands, comes out the same tiled as in one piece
    /// (only the blending of overlaps differs).
    /// </summary>
    [Theory]
    [InlineData(Stretch.BitDepth)]     // tiles' maxima need 11 to 14 bits
    [InlineData(Stretch.Percentile)]
    public void Tiled_16_bit_rgb_whose_tiles_differ_in_range_matches_the_whole_image_run(Stretch stretch)
    {
        using var dir = new TempFolder();
        const int side = 96, tile = 32;
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, side, side), dir.File("in.tif"), p => p with { DataType = RasterDataType.UInt16 });
        // ×8, as 11-bit data, with the right half raised by 6000 and the bottom half by 3000.
        TestRasters.Edit(input, (b, x, y, v) => v * 8 + (x >= side / 2 ? 6000 : 0) + (y >= side / 2 ? 3000 : 0));
        var before = TestRasters.ReadAll(input, out _);
        var lows = new List<double>();
        for (var ty = 0; ty < side; ty += tile)
            for (var tx = 0; tx < side; tx += tile)
            {
                var block = (from y in Enumerable.Range(ty, tile) from x in Enumerable.Range(tx, tile) select before[y * side + x]).Order().ToArray();
                lows.Add(block[(int)Math.Round(0.001 * (block.Length - 1))]);
            }
        Assert.True(lows.Max() - lows.Min() > 5000, $"tiles' 0.1 % percentiles span only {lows.Min()}..{lows.Max()}");

        var whole = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("whole.tif")) with { TileSize = 128, Stretch = stretch }).OutputPath, out _);
        var tiled = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("tiled.tif")) with { TileSize = tile, Overlap = 8, Stretch = stretch }).OutputPath, out _);
        var peak = before.Max() - before.Min();
        var psnr = TestRasters.Psnr(whole, tiled, peak);
        output.WriteLine($"tiled vs whole image: {psnr:F2} dB (peak {peak})");
        // Measured: 59.5 dB (the overlap is smaller than the network's reach); with each tile's own range, 38 dB.
        Assert.True(psnr >= 50, $"tiled run differs from the whole-image run: {psnr:F2} dB");
    }

    /// <summary>
    /// A 64×128 strip of the town as UInt16 ×8 (values 720–2040); when <paramref name="spiked"/>, with four hot
    /// pixels at 40000 and four dead ones at 1 in its top 16 rows: fewer than the 8 of 8192 pixels that lie beyond either
    /// 0.1/99.9 percentile.
    /// </summary>
    private static string Town16(TempFolder dir, bool spiked)
    {
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 0, 64, 128), dir.File(spiked ? "spiked.tif" : "clean.tif"),
            p => p with { DataType = RasterDataType.UInt16 }, v => v * 8);
        if (spiked) TestRasters.Edit(input, (_, x, y, v) => Spike(x, y) ?? v);
        return input;
    }

    private static double? Spike(int x, int y) => (x, y) switch
    {
        (3, 5) or (42, 2) or (27, 14) or (55, 9) => 40000,
        (12, 12) or (60, 7) or (35, 1) or (20, 15) => 1,
        _ => null,
    };

    /// <summary>
    /// Non-8-bit output is clamped to the band's observed extremes, not to the percentiles that set its contrast:
    /// around hot and dead pixels it goes beyond the 0.1/99.9 percentiles (beyond all the scene's other values), and
    /// never beyond the input's min and max.
    /// </summary>
    [Fact]
    public void Hot_and_dead_pixels_come_out_beyond_the_percentiles_but_inside_the_input_s_extremes()
    {
        using var dir = new TempFolder();
        var input = Town16(dir, spiked: true);
        var before = TestRasters.ReadAll(input, out var p);
        var sorted = before.Order().ToArray();
        // Nearest-rank percentiles, and the scene's extremes without the spikes (no percentile lies beyond them).
        double low = sorted[(int)Math.Round(0.001 * (sorted.Length - 1))], high = sorted[(int)Math.Round(0.999 * (sorted.Length - 1))];
        var scene = before.Where((_, i) => Spike(i % p.Width, i / p.Width) is null).ToArray();
        Assert.Equal((1, 40000), (sorted[0], sorted[^1]));
        Assert.InRange(low, scene.Min(), scene.Max());
        Assert.InRange(high, scene.Min(), scene.Max());

        var after = TestRasters.ReadAll(Upscaler.Run(Options(input, dir.File("out.tif")) with { Stretch = Stretch.Percentile }).OutputPath, out _);
        output.WriteLine($"input {sorted[0]}..{sorted[^1]}, percentiles {low}..{high}, scene {scene.Min()}..{scene.Max()}; output {after.Min()}..{after.Max()}");
        Assert.InRange(after.Max(), scene.Max() + 1, 40000);
        Assert.InRange(after.Min(), 1, scene.Min() - 1);
    }

    /// <summary>
    /// The contrast comes from robust percentiles, not from the extremes: hot and dead pixels leave the output beyond
    /// the network's reach from them as it is without them (stretched from 1 to 40000, the scene would fill a thirtieth
    /// of the network's 0..1).
    /// </summary>
    [Fact]
    public void A_few_hot_and_dead_pixels_leave_the_rest_of_the_output_unchanged()
    {
        using var dir = new TempFolder();
        // The percentiles' job; the bit-depth rule would take the hot pixels' 16 bits, as its maximum needs.
        var clean = TestRasters.ReadAll(Upscaler.Run(Options(Town16(dir, spiked: false), dir.File("clean_out.tif")) with { Stretch = Stretch.Percentile }).OutputPath, out var q);
        var spiked = TestRasters.ReadAll(Upscaler.Run(Options(Town16(dir, spiked: true), dir.File("spiked_out.tif")) with { Stretch = Stretch.Percentile }).OutputPath, out _);
        // Output pixels whose input pixel lies beyond the network's reach (34 px: 34 3×3 convolutions) from every spike.
        var spikes = (from y in Enumerable.Range(0, 128) from x in Enumerable.Range(0, 64) where Spike(x, y) is not null select (x, y)).ToList();
        Assert.Equal(8, spikes.Count);
        var far = Enumerable.Range(0, q.Width * q.Height)
            .Where(i => spikes.All(s => Math.Max(Math.Abs(i % q.Width / 4 - s.x), Math.Abs(i / q.Width / 4 - s.y)) > 36)).ToArray();
        Assert.True(far.Length > q.Width * q.Height / 4, $"{far.Length} pixels away from the spikes");
        var psnr = TestRasters.Psnr(far.Select(i => clean[i]).ToArray(), far.Select(i => spiked[i]).ToArray(), clean.Max() - clean.Min());
        output.WriteLine($"away from the spikes, with vs without them: {psnr:F2} dB over {far.Length} pixels");
        // Measured: 61 dB; with the min..max as the range, 12 dB.
        Assert.True(psnr >= 40, $"{psnr:F2} dB");
    }

    [Fact]
    public void Consistency_option_makes_the_output_average_back_to_the_input()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, 96, 96), Path.Combine(dir, "in.tif"));
        var plain = Upscaler.Run(Options(input, Path.Combine(dir, "plain.tif")));
        var fixedUp = Upscaler.Run(Options(input, Path.Combine(dir, "consistent.tif")) with { Consistency = true });
        output.WriteLine($"consistency PSNR: network {plain.ConsistencyBefore:F2} dB, written without --consistency {plain.ConsistencyAfter:F2} dB, with {fixedUp.ConsistencyAfter:F2} dB");

        // Independently of the job's own figure: area-average the written file and compare with the input.
        var before = TestRasters.ReadAll(input, out var p);
        double Measured(string path)
        {
            var img = TestRasters.ReadAll(path, out var q);
            return TestRasters.Psnr(before, Enumerable.Range(0, 3).SelectMany(b => AreaAverage(Plane(img, b, q), q.Width, q.Height, 4)).ToArray());
        }
        var without = Measured(plain.OutputPath);
        var with = Measured(fixedUp.OutputPath);
        output.WriteLine($"measured on the files: without {without:F2} dB, with {with:F2} dB");
        Assert.Equal(without, plain.ConsistencyAfter, 0.5);
        Assert.True(with >= 45, $"{with:F2} dB");
        Assert.True(with > without + 3);
        Assert.True(fixedUp.ConsistencyAfter >= 45);
    }

    internal static double[] Plane(double[] data, int band, RasterProfile p) => data.AsSpan(band * p.Width * p.Height, p.Width * p.Height).ToArray();

    internal static double[] AreaAverage(double[] img, int w, int h, int s)
    {
        var result = new double[w / s * (h / s)];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                result[y / s * (w / s) + x / s] += img[y * w + x] / (s * s);
        return result;
    }
}
