using SatSR.Geometry;
using SatSR.Raster;
using SatSR.Tests.Viewer;

namespace SatSR.Tests.Cli;

/// <summary><c>satsr compare</c> end to end (the page itself is ComparePageTests').</summary>
public class CompareCliTests
{
    [Fact]
    public async Task Compare_writes_the_page_and_says_what_it_shows()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        var page = Path.Combine(dir, "page.html");
        var (exit, text, error) = await CliTests.Run("compare", before, after, "--html", page, "--region", "8,4,32,40");
        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains("page.html (region 8,4,32,40 of the output", text);
        var (b, a) = ComparePairs.Images(page);
        Assert.Equal((32, 40), (a.Width, a.Height));
        Assert.Equal(255 - ComparePairs.Before(2, 1), a[0, 0, 0]);
        Assert.Equal(ComparePairs.Before(2, 1), b[0, 0, 0]);
    }

    [Fact]
    public async Task An_existing_page_needs_overwrite()
    {
        var dir = TestFiles.TempDir();
        var (before, after) = ComparePairs.Inverse(dir);
        var page = Path.Combine(dir, "page.html");
        File.WriteAllText(page, "keep me");
        var (exit, _, error) = await CliTests.Run("compare", before, after, "--html", page);
        Assert.Equal(1, exit);
        Assert.Contains("--overwrite", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("keep me", File.ReadAllText(page));
    }

    [Fact]
    public async Task An_output_over_16_megapixels_asks_for_a_region()
    {
        // 5000×4000, never written: a sparse file of a few kilobytes, refused before any pixel is read.
        var dir = TestFiles.TempDir();
        var (before, _) = ComparePairs.Inverse(dir);
        var big = Path.Combine(dir, "big.tif");
        var profile = new RasterProfile { Width = 5000, Height = 4000, DataType = RasterDataType.Byte, Bands = [new BandInfo("", ColorInterpretation.Gray, null, MaskFlags.AllValid)] };
        using (RasterDataset.Create(big, profile, new Dictionary<string, string> { ["TILED"] = "YES", ["SPARSE_OK"] = "TRUE" })) { }
        var page = Path.Combine(dir, "page.html");
        var (exit, _, error) = await CliTests.Run("compare", before, big, "--html", page);
        Assert.Equal(1, exit);
        Assert.Equal($"error: {big}: 5000×4000 pixels (20.0 MP) is more than the 16 MP a page embeds; choose a part with --region x,y,w,h",
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(page));
    }
}
