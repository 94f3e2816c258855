using SatSR.Models;
using SatSR.Tiling;

namespace SatSR.Pipeline.Planning;

/// <summary>
/// The tile size when <c>--tile</c> is not given: of the sizes whose tiles in flight fit the memory budget, the one that
/// makes the network compute the fewest pixels (core plus recomputed overlap, plus the tiles on a column chunk's border
/// that run once per chunk), the larger on a tie (fewer runtime calls). So a small image is one tile, and a large one gets tiles large
/// enough that the overlap costs little, but never more memory than the budget.
/// </summary>
internal static class TileSizing
{
    /// <summary>A shard's default budget, the same on every machine so that all shards of a job plan the same tiles.</summary>
    public const long ShardBudget = 2L << 30;

    /// <summary>The default budget: a quarter of the memory this process may use, at most 8 GiB.</summary>
    public static long DefaultBudget() => Math.Min(8L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>
    /// Bytes per input pixel of one tile in flight through the stages: the read samples and validity, and per band group
    /// the network's input and output tensors. The predictions take no more: each is written over the output planes it
    /// comes from (TilePredictor), so a colour tile and a panchromatic one, whose network tensors are the same, differ
    /// only by their read samples, and get the same tile or the next size down.
    /// </summary>
    public static long PipelineBytesPerPixel(int inputBands, int groups, int channels, int outputChannels, int modelScale) =>
        8L * inputBands + 1 + groups * 4L * (channels + outputChannels * modelScale * modelScale);

    /// <summary>Tiles a job holds at most at once, for the budget: the batch and what waits in and between the stages.</summary>
    public static int TilesInFlight(int batch, int workers, int queueDepth) => batch + 3 * (workers + queueDepth);

    /// <param name="perPixel">bytes per tile pixel in flight (<see cref="PipelineBytesPerPixel"/>)</param>
    /// <param name="activation">the session's bytes per tile pixel, needed once per batch slot</param>
    public static int Choose(int width, int height, int overlap, int scale, int outputBands, int blockHeight, int blockWidth, long stripBudget,
        long budget, long perPixel, long activation, int batch, int inFlight)
    {
        int best = 0, largestFitting = 0;
        double bestCost = double.MaxValue;
        var largest = Math.Max(width, height);
        foreach (var tile in Candidates(largest, overlap))
        {
            var columns = new TilePlan.Axis(width, tile, overlap);
            var rows = new TilePlan.Axis(height, tile, overlap);
            var pixels = (long)columns.ReadLength * rows.ReadLength;
            if (largestFitting != 0 && pixels * (activation * batch + perPixel * inFlight) > budget) break;
            largestFitting = tile;
            // A plan of more tiles than it may hold is no choice (and costing it would take as long as it has tiles).
            if ((long)columns.Count * rows.Count > TilePlan.MaxTiles) continue;
            var cost = Cost(columns, rows, scale, outputBands, blockHeight, blockWidth, stripBudget);
            if (cost <= bestCost)
            {
                (best, bestCost) = (tile, cost);
            }
        }
        // No size that fits makes a plan small enough: the largest that fits, which the plan refuses with its advice.
        return best != 0 ? best : largestFitting;
    }

    /// <summary>Sizes from small to large: multiples of 32 above the overlap, and the whole image.</summary>
    private static IEnumerable<int> Candidates(int largest, int overlap)
    {
        for (var tile = Math.Max(32, (overlap / 32 + 1) * 32); tile < largest; tile += 32) yield return tile;
        yield return largest;
    }

    /// <summary>
    /// What a tile costs beyond its pixels (a runtime call, reading and handing it through the stages), as pixels: a
    /// 64² tile. Without it a model without overlap would get the smallest tiles, whose last one wastes the least.
    /// </summary>
    private const double PerTile = 64 * 64;

    /// <summary>Pixels the network computes for the whole image in this tiling, chunk duplicates included, plus <see cref="PerTile"/> each.</summary>
    private static double Cost(TilePlan.Axis columns, TilePlan.Axis rows, int scale, int outputBands, int blockHeight, int blockWidth, long stripBudget)
    {
        int outWidth = columns.Length * scale;
        var chunkWidth = TileSchedule.ChunkWidth(outWidth, outputBands, blockHeight + rows.ReadLength * scale, blockWidth, stripBudget);
        long tiles = 0;
        for (var left = 0; left < outWidth; left += chunkWidth)
        {
            var right = Math.Min(outWidth, left + chunkWidth);
            for (var c = 0; c < columns.Count; c++)
            {
                if (TileSchedule.Touches(columns, c, scale, left, right)) tiles++;
            }
        }
        return (double)tiles * rows.Count * (columns.ReadLength * rows.ReadLength + PerTile);
    }
}
