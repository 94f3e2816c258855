using SatSR.Geometry;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Tiling;

namespace SatSR.Pipeline.Planning;

/// <summary>One tile of the schedule: which column chunk it is blended into, and whether it ends its tile row there.</summary>
internal sealed record ScheduledTile(int Chunk, Tile Tile, bool EndsRow);

/// <summary>A column chunk of the output: its strip's columns and the first output row it still writes.</summary>
internal sealed record OutputChunk(int Index, int Left, int Width, int FirstRow);

/// <summary>
/// The order a job infers its tiles in, which is the order blending adds them (so the pixels do not depend on how the
/// stages are scheduled): column chunk by chunk (the strip's budget decides their width), tile row by tile row, left to
/// right. Of the output rows <see cref="From"/>..<see cref="To"/> a chunk writes those from its <see cref="OutputChunk.FirstRow"/>
/// on (a resumed run's journal says where the interrupted one stopped); only tile rows whose blend weights reach into
/// them are inferred (<see cref="ShardLayout.Reach"/>: a tile adds nothing where its weight is 0), and only the tiles of a
/// row whose read window reaches into the chunk.
/// </summary>
internal sealed class TileSchedule
{
    private TileSchedule(TilePlan plan, ShardLayout layout, int from, int to, int capacity, List<OutputChunk> chunks, List<ScheduledTile> tiles, int resumed)
    {
        Plan = plan;
        Layout = layout;
        From = from;
        To = to;
        Capacity = capacity;
        Chunks = chunks;
        Tiles = tiles;
        Resumed = resumed;
    }

    public TilePlan Plan { get; }
    public ShardLayout Layout { get; }
    public int Scale => Layout.Scale;
    public int From { get; }
    public int To { get; }

    /// <summary>Rows a strip holds: one tile row's output plus one block row not yet flushed above it.</summary>
    public int Capacity { get; }

    public IReadOnlyList<OutputChunk> Chunks { get; }
    public IReadOnlyList<ScheduledTile> Tiles { get; }

    /// <summary>Tiles an interrupted run already blended into rows it wrote (counted as done, not inferred again).</summary>
    public int Resumed { get; }

    public int OutputWidth => Plan.Width * Scale;
    public int OutputHeight => Plan.Height * Scale;

    /// <param name="layout">the plan's tile rows and their reach, at the job's scale and block height</param>
    /// <param name="bands">output bands, for the strip's size</param>
    /// <param name="resumeAt">where an interrupted run stopped: chunk and the rows it had written there</param>
    public static TileSchedule Create(TilePlan plan, ShardLayout layout, int bands, int blockWidth, long stripBudgetBytes,
        ResumePoint resumeAt, int from = 0, int? to = null)
    {
        int scale = layout.Scale, blockHeight = layout.BlockHeight;
        int outWidth = plan.Width * scale, outHeight = plan.Height * scale, last = to ?? outHeight;
        var capacity = blockHeight + plan.ReadHeight * scale;
        var chunkWidth = ChunkWidth(outWidth, bands, capacity, blockWidth, stripBudgetBytes);
        var count = (outWidth + chunkWidth - 1) / chunkWidth;
        var chunks = new List<OutputChunk>();
        var tiles = new List<ScheduledTile>();
        var resumed = 0;
        for (var k = 0; k < count; k++)
        {
            int left = k * chunkWidth, width = Math.Min(chunkWidth, outWidth - left);
            var first = k < resumeAt.Chunk ? last : k == resumeAt.Chunk ? Math.Max(from, resumeAt.RowsDone) : from;
            var columns = Enumerable.Range(0, plan.Columns).Where(c => Touches(plan.ColumnAxis, c, scale, left, left + width)).ToList();
            for (var r = 0; r < plan.Rows; r++)
            {
                var reach = layout.Reach[r];
                if (reach.From >= last) break;
                if (reach.To <= from) continue; // adds only to rows above those this job writes
                if (reach.To <= first || first >= last)
                {
                    resumed += columns.Count; // blended into rows the interrupted run wrote
                    continue;
                }
                for (var i = 0; i < columns.Count; i++) tiles.Add(new ScheduledTile(k, plan[r, columns[i]], i == columns.Count - 1));
            }
            chunks.Add(new OutputChunk(k, left, width, first));
        }
        return new TileSchedule(plan, layout, from, last, capacity, chunks, tiles, resumed);
    }

    /// <summary>
    /// Output columns per chunk: as many whole blocks as the strip budget holds at <paramref name="capacity"/> rows of
    /// <paramref name="bands"/> bands (at least one block), at most the whole width.
    /// </summary>
    public static int ChunkWidth(int outputWidth, int bands, int capacity, int blockWidth, long stripBudgetBytes)
    {
        var perColumn = (long)bands * capacity * sizeof(float);
        return (int)Math.Min(outputWidth, Math.Max(blockWidth, stripBudgetBytes / perColumn / blockWidth * blockWidth));
    }

    /// <summary>True when tile <paramref name="c"/>'s read window, at the output scale, reaches into output columns left..right.</summary>
    public static bool Touches(TilePlan.Axis columns, int c, int scale, int left, int right) =>
        new Interval(columns.ReadStart(c) * scale, (columns.ReadStart(c) + columns.ReadLength) * scale).Overlaps(new Interval(left, right));

    /// <summary>
    /// The output rows final once tile row <paramref name="row"/> is blended, cut to whole block rows (the last of the
    /// range ends where the range does): no later tile row adds to rows above the next row's read window, and none to
    /// the range at all after the last tile row that reaches into it (reaches begin in the order of their rows).
    /// </summary>
    public int FinalAfter(int row, int blockHeight)
    {
        if (row == Plan.Rows - 1 || Layout.Reach[row + 1].From >= To) return To;
        var final = Plan.RowAxis.ReadStart(row + 1) * Scale;
        return final >= To ? To : Math.Max(From, final / blockHeight * blockHeight);
    }
}
