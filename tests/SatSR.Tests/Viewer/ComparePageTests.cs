using System.Text.RegularExpressions;
using SatSR.Geometry;
using SatSR.Raster;
using SatSR.Viewer;

namespace SatSR.Tests.Viewer;

/// <summary>Test pairs: a small BEFORE and an AFTER on a finer grid of the same ground, written with SatSR's GDAL layer.</summary>
internal static class ComparePairs
{
    /// <summary>BEFORE's grid: rotated, so that rows and columns both move X and Y.</summary>
    public static readonly GeoTransform BeforeTransform = new(500000, 10, 2, 7000000, 1, -10);

    public static string Projection() { using var ds = RasterDataset.Open(TestFiles.Fixture("cbers2b_pan_town_256.tif")); return ds.Profile.Projection!; }

    public static string Write(string path, int width, int height, RasterDataType type, GeoTransform? transform, Func<int, int, double> value, double? nodata = null)
    {
        var profile = new RasterProfile
        {
            Width = width,
            Height = height,
            DataType = type,
            Bands = [new BandInfo("", ColorInterpretation.Gray, nodata, nodata is null ? MaskFlags.AllValid : MaskFlags.Nodata)],
            Transform = transform,
            Projection = transform is null ? null : Projection(),
        };
        var data = new double[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                data[y * width + x] = value(x, y);
        using var ds = RasterDataset.Create(path, profile, new Dictionary<string, string>());
        ds.Write<double>(new Window(0, 0, width, height), [1], data);
        return path;
    }

    /// <summary>BEFORE pixel (i, j) of the 16×12 test image (never 0, which 8-bit files take for nodata).</summary>
    public static double Before(int i, int j) => 20 + 10 * ((i + 2 * j) % 16);

    /// <summary>A 16×12 BEFORE and a 64×48 AFTER that is its inverse, 4× finer: every screen point tells which one it shows.</summary>
    public static (string Before, string After) Inverse(string dir) => (
        Write(Path.Combine(dir, "before.tif"), 16, 12, RasterDataType.Byte, BeforeTransform, Before),
        Write(Path.Combine(dir, "after.tif"), 64, 48, RasterDataType.Byte, BeforeTransform.Scaled(4), (x, y) => 255 - Before(x / 4, y / 4)));

    /// <summary>The two embedded images of a page, decoded: BEFORE's first.</summary>
    public static (PngImage Before, PngImage After) Images(string page)
    {
        var uris = Regex.Matches(File.ReadAllText(page), "src=\"data:image/png;base64,([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, uris.Count);
        return (PngReader.Read(Convert.FromBase64String(uris[0])), PngReader.Read(Convert.FromBase64String(uris[1])));
    }
}

public class ComparePageTests
{
    [Fact]
    public void Before_is_embedded_nearest_neighbour_on_after_s_grid()
    {
        // ×1.6 over the same ground: AFTER pixel x takes BEFORE pixel floor((x + 0.5)/1.6), as the geotransforms say
        // (a factor whose pixel centres never fall on a BEFORE pixel edge, so the nearest pixel is never a tie).
        var dir = TestFiles.TempDir();
        var before = ComparePairs.Write(Path.Combine(dir, "b.tif"), 20, 15, RasterDataType.Byte, ComparePairs.BeforeTransform, ComparePairs.Before);
        var after = ComparePairs.Write(Path.Combine(dir, "a.tif"), 32, 24, RasterDataType.Byte, ComparePairs.BeforeTransform.Scaled(1.6), (x, y) => 100 + (x + y) % 50);
        var page = Path.Combine(dir, "page.html");
        var result = ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = page, Region = new Window(3, 5, 25, 16) });
        Assert.Equal(new Window(3, 5, 25, 16), result.Region);

        var (b, a) = ComparePairs.Images(page);
        Assert.Equal((25, 16, 2), (b.Width, b.Height, b.Channels));
        for (var y = 0; y < 16; y++)
            for (var x = 0; x < 25; x++)
            {
                int ax = 3 + x, ay = 5 + y;
                Assert.Equal(ComparePairs.Before((int)Math.Floor((ax + 0.5) / 1.6), (int)Math.Floor((ay + 0.5) / 1.6)), b[x, y, 0]);
                Assert.Equal(100 + (ax + ay) % 50, a[x, y, 0]);
                Assert.Equal(255, a[x, y, 1]);
            }
    }

    [Fact]
    public void Sixteen_bit_data_is_stretched_between_its_2nd_and_98th_percentiles_and_nodata_is_transparent()
    {
        // AFTER holds 0..9999 once each; nearest-rank percentiles of 10 000 values: 2 % → 200, 98 % → 9799 (by hand).
        var dir = TestFiles.TempDir();
        var after = ComparePairs.Write(Path.Combine(dir, "a.tif"), 100, 101, RasterDataType.UInt16, null, (x, y) => y == 100 ? 65535 : y * 100 + x, nodata: 65535);
        var before = ComparePairs.Write(Path.Combine(dir, "b.tif"), 50, 50, RasterDataType.UInt16, null, (x, y) => 5000, nodata: 65535);
        var page = Path.Combine(dir, "page.html");
        var result = ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = page });
        Assert.Equal(new DisplayStretch(200, 9799), Assert.Single(result.Stretches));

        var (b, a) = ComparePairs.Images(page);
        Assert.Equal(0, a[0, 0, 0]);          // 0, below the stretch
        Assert.Equal(0, a[0, 2, 0]);          // 200
        Assert.Equal(255, a[99, 97, 0]);      // 9799
        Assert.Equal(128, a[0, 50, 0]);       // 5000: (4800 / 9599)·255 = 127.5 → 128
        Assert.Equal(0, a[0, 100, 1]);        // the nodata row is transparent
        Assert.Equal(255, a[0, 99, 1]);
        Assert.Equal(128, b[10, 10, 0]);      // BEFORE gets AFTER's stretch
        Assert.Contains("stretched 2–98 %: 200–9799", File.ReadAllText(page));
    }

    [Fact]
    public void A_file_without_georeference_cannot_be_placed_on_one_with()
    {
        var dir = TestFiles.TempDir();
        var before = ComparePairs.Write(Path.Combine(dir, "b.tif"), 16, 12, RasterDataType.Byte, null, ComparePairs.Before);
        var after = ComparePairs.Write(Path.Combine(dir, "a.tif"), 64, 48, RasterDataType.Byte, ComparePairs.BeforeTransform.Scaled(4), (x, y) => 9);
        var e = Assert.Throws<InvalidOptionsException>(() =>
            ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = Path.Combine(dir, "page.html") }));
        Assert.Equal($"{before}: has no georeference but {after} has; cannot place one on the other", e.Message);
    }

    [Fact]
    public void A_region_too_large_to_embed_is_refused_with_the_way_out()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        var page = Path.Combine(dir, "page.html");
        var e = Assert.Throws<InvalidOptionsException>(() =>
            ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = page, MaxPixels = 3000 }));
        Assert.Equal($"{after}: 64×48 pixels (0.0 MP) is more than the 0 MP a page embeds; choose a part with Region x,y,w,h", e.Message);
        Assert.False(File.Exists(page));
        Assert.False(File.Exists(page + ".partial"));
    }
}

/// <summary>The page in a real browser: Debian's chromium, headless (tools/ensure-deps --test installs it).</summary>
public class ComparePageBrowserTests
{
    [Fact]
    public void The_swipe_shows_before_left_and_after_right_of_the_line()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        var page = Path.Combine(dir, "page.html");
        ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = page });

        // 64×48 fits 480×360 at exactly 7.5 screen pixels per AFTER pixel: BEFORE pixel (i, j) covers screen
        // [30i, 30i + 30) × [30j, 30j + 30). Rows 0 and 11 are under the labels and are not sampled.
        var quarter = Chromium.Open(page, "slider=0.25");
        var threeQuarters = Chromium.Open(page, "slider=0.75");
        foreach (var (shot, line) in new[] { (quarter.Screenshot, 120), (threeQuarters.Screenshot, 360) })
        {
            Assert.Equal((Chromium.Width, Chromium.Height), (shot.Width, shot.Height));
            for (var j = 1; j < 11; j++)
                for (var i = 0; i < 16; i++)
                {
                    int x = 30 * i + 15, y = 30 * j + 15;
                    var expected = x < line ? ComparePairs.Before(i, j) : 255 - ComparePairs.Before(i, j);
                    for (var c = 0; c < 3; c++) Assert.InRange(shot[x, y, c], expected - 2, expected + 2);
                }
        }

        // The two screenshots differ exactly between the two lines (±3 px for the 2-px line itself).
        for (var y = 30; y < 330; y++)
            for (var x = 0; x < Chromium.Width; x++)
            {
                var same = Enumerable.Range(0, 3).All(c => quarter.Screenshot[x, y, c] == threeQuarters.Screenshot[x, y, c]);
                if (x < 117 || x >= 364) Assert.True(same, $"({x}, {y}) differs outside the band");
                else if (x >= 123 && x < 357) Assert.False(same, $"({x}, {y}) is the same inside the band");
            }
        // Self-contained: no remote URL in the page, and no request from it in the network log.
        Assert.DoesNotMatch("(?i)https?://", File.ReadAllText(page));
        Assert.Empty(quarter.PageRequests);
        Assert.Empty(threeQuarters.PageRequests);
    }

    [Fact]
    public void The_page_shows_the_map_coordinates_under_the_cursor()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        var page = Path.Combine(dir, "page.html");
        ComparePage.Write(new CompareOptions { BeforePath = before, AfterPath = after, PagePath = page, Region = new Window(1, 1, 63, 47) });
        // The network log's check, shown to catch a request: this copy of the page gets one remote image added.
        File.WriteAllText(page, File.ReadAllText(page).Replace("</body>", "<img src=\"http://example.invalid/tile.png\"></body>", StringComparison.Ordinal));

        // The window's centre is the region's centre: AFTER pixel (1 + 31.5, 1 + 23.5). AFTER's transform is BEFORE's
        // /4 = (500000, 2.5, 0.5, 7000000, 0.25, −2.5): X = 500000 + 32.5·2.5 + 24.5·0.5 = 500093.50,
        // Y = 7000000 + 32.5·0.25 − 24.5·2.5 = 6999946.875.
        var run = Chromium.Open(page, "slider=0.25&cursor=0.5,0.5");
        Assert.Contains("pixel 32, 24 · 500093.50, 6999946.88 (SAD69 / UTM zone 21S) · after", run.Dom);
        Assert.Equal(["http://example.invalid/tile.png"], run.PageRequests);
    }
}
