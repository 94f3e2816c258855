using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Stages;
using SatSR.Raster;
using SatSR.Tests.Models;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// Every buffer a job's stages lease comes back to its owner, however the job ends: a lease left out on some path
/// would, in a longer job, be an array its pool makes again for every tile that takes that path.
/// </summary>
public class BufferLeaseTests
{
    /// <summary>
    /// 96×64 of the town in 16-pixel tiles with an 8-pixel halo (24 tiles, so several are in every stage at once), two
    /// workers per stage, through a ×4 pixel repeat; <paramref name="counts"/> gets what the owner had out at the end.
    /// </summary>
    private static UpscaleOptions Options(string input, string output, List<BufferCounts> counts) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = TestModels.PixelRepeat,
        Device = ExecutionDevice.Cpu,
        TileSize = 16,
        Overlap = 8,
        Threads = 2,
        BuffersReturned = counts.Add,
    };

    private static string Crop(TempFolder dir, IReadOnlyDictionary<string, string>? creation = null) =>
        TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(64, 64, 96, 64), dir.File("in.tif"), creation: creation);

    private static void AssertAllReturned(List<BufferCounts> counts)
    {
        var end = Assert.Single(counts);
        Assert.True(end.PeakBytes > 0, "the job leased nothing");
        Assert.Equal(0, end.LeasesOut);
        Assert.Equal(0, end.BytesOut);
    }

    [Fact]
    public void Every_lease_comes_back_after_a_job_that_succeeds()
    {
        using var dir = new TempFolder();
        var counts = new List<BufferCounts>();
        var result = Upscaler.Run(Options(Crop(dir), dir.File("out.tif"), counts));
        Assert.Equal(24, result.TilesInferred);
        AssertAllReturned(counts);
        Assert.Equal(counts[0].PeakBytes, result.BufferPeakBytes);
    }

    /// <summary>
    /// With test-time augmentation every tile's eight turns are summed per band group in a lease of their own, which
    /// the inferrer gives back once the sums are folded into the tile's output.
    /// </summary>
    [Fact]
    public void Every_lease_comes_back_after_a_job_with_test_time_augmentation()
    {
        using var dir = new TempFolder();
        var counts = new List<BufferCounts>();
        var result = Upscaler.Run(Options(Crop(dir), dir.File("out.tif"), counts) with { Tta = true });
        Assert.Equal(24, result.TilesInferred);
        AssertAllReturned(counts);
    }

    /// <summary>
    /// Three levels of the 384×256 output, the second and third cascaded from the one before: the overview writer's
    /// scratch, and every level's, is leased from the job's owner too.
    /// </summary>
    [Fact]
    public void Every_lease_comes_back_after_a_job_that_writes_cascaded_overviews()
    {
        using var dir = new TempFolder();
        var counts = new List<BufferCounts>();
        var result = Upscaler.Run(Options(Crop(dir), dir.File("out.tif"), counts) with { Overviews = [2, 4, 8] });
        using (var output = RasterDataset.Open(result.OutputPath)) Assert.Equal([(192, 128), (96, 64), (48, 32)], output.OverviewSizes);
        AssertAllReturned(counts);
    }

    /// <summary>×3 from the ×4 network: the resample pass writes the 288×192 output, and its overviews, from the owner's scratch.</summary>
    [Fact]
    public void Every_lease_comes_back_after_a_job_with_a_resample_pass()
    {
        using var dir = new TempFolder();
        var counts = new List<BufferCounts>();
        var result = Upscaler.Run(Options(Crop(dir), dir.File("out.tif"), counts) with { OutScale = 3 });
        Assert.Equal((288, 192), (result.Width, result.Height));
        AssertAllReturned(counts);
    }

    /// <summary>
    /// The input in 16×16 DEFLATE blocks, one of them (block row 2, column 3) overwritten with 0xFF: GDAL opens the file
    /// and fails only when a stage decodes that block, with the tiles read before it in the stages after.
    /// </summary>
    [Fact]
    public void Every_lease_comes_back_after_a_job_that_fails_reading_a_corrupt_block()
    {
        using var dir = new TempFolder();
        var tiled = new Dictionary<string, string> { ["TILED"] = "YES", ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16", ["COMPRESS"] = "DEFLATE" };
        var input = Crop(dir, tiled);
        var bytes = File.ReadAllBytes(input);
        var (offset, length) = TiffBytes.Piece(bytes, TiffBytes.TileOffsets, TiffBytes.TileByteCounts, 2 * (96 / 16) + 3);
        bytes.AsSpan(offset, length).Fill(0xFF);
        File.WriteAllBytes(input, bytes);

        var counts = new List<BufferCounts>();
        var e = Assert.Throws<RasterException>(() => Upscaler.Run(Options(input, dir.File("out.tif"), counts)));
        Assert.Contains("corrupt", e.Message);
        AssertAllReturned(counts);
    }

    [Fact]
    public void Every_lease_comes_back_after_a_job_cancelled_once_its_first_tile_is_blended()
    {
        using var dir = new TempFolder();
        using var cts = new CancellationTokenSource();
        var cancel = new OverviewTests.Progress(p => { if (p.Stage == UpscaleStage.Infer && p.TilesDone >= 1) cts.Cancel(); });
        var counts = new List<BufferCounts>();
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(Options(Crop(dir), dir.File("out.tif"), counts), cancel, cts.Token));
        AssertAllReturned(counts);
    }
}
