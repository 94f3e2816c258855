using System.Globalization;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline;

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/> (0 ≤ Index &lt; Count): one process's part of a job split across machines.</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary><c>i/N</c>, as <c>--shard</c> takes it.</summary>
    public static Shard Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash > 0 &&
            int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var i) &&
            int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) &&
            n >= 1 && i < n)
        {
            return new Shard(i, n);
        }
        throw new InvalidOptionsException($"--shard {text}: expected i/N with 0 ≤ i < N, e.g. 0/4");
    }

    public override string ToString() => FormattableString.Invariant($"{Index}/{Count}");
}

/// <summary>Output rows [<see cref="From"/>, <see cref="To"/>).</summary>
public readonly record struct RowRange(int From, int To)
{
    public int Height => To - From;
}

/// <summary>
/// The even split of a job's output rows into shards: whole rows of output blocks, the block rows shared out as evenly
/// as they go (shard i starts at block row ⌊B·i/N⌋, so shares differ by one at most, the first the smaller and the last
/// the larger when they do not divide), the last shard ending at the image's bottom. <see cref="ShardLayout"/> moves
/// the boundaries onto rows that cost less re-inference; an <c>--outscale</c> job, whose rows are resampled, keeps these.
/// </summary>
public static class ShardPlan
{
    /// <summary>The output rows of <paramref name="shard"/> in an output <paramref name="height"/> rows high in blocks of <paramref name="blockHeight"/>.</summary>
    public static RowRange Rows(int height, int blockHeight, Shard shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockHeight);
        var blockRows = BlockRows(height, blockHeight);
        if (shard.Count > blockRows)
        {
            throw new InvalidOptionsException($"--shard {shard}: the output has {blockRows} block row(s) of {blockHeight} pixels; split it into at most {blockRows}");
        }
        long first = (long)blockRows * shard.Index / shard.Count, end = (long)blockRows * (shard.Index + 1) / shard.Count;
        return new RowRange((int)first * blockHeight, (int)Math.Min(height, end * blockHeight));
    }

    /// <summary>Rows of output blocks in an output <paramref name="height"/> rows high, the last perhaps short.</summary>
    public static int BlockRows(int height, int blockHeight) => (height + blockHeight - 1) / blockHeight;

    /// <summary>The halo <c>satsr plan</c> keeps under unless told otherwise: a twentieth of one run's tiles inferred again.</summary>
    public const double DefaultMaxHalo = 0.05;

    /// <summary>
    /// The shards (<paramref name="count"/>, or when null the most before the halo in tiles of <paramref name="largest"/>
    /// first reaches <paramref name="maxHalo"/>) and the tile (<paramref name="tile"/>, or of the sizes up to
    /// <paramref name="largest"/> those whose halo is under <paramref name="maxHalo"/>, of them the ones with no halo when
    /// there are any (hard-cropped shards can have none), then the one whose shards make the network compute the fewest
    /// pixels, overlap included; the fewest pixels of all sizes when none is under).
    /// </summary>
    /// <param name="tile">the tile when the user fixed it, else null</param>
    /// <param name="largest">the largest tile to consider (a shard's default: the most its memory budget allows)</param>
    public static ShardChoice Choose(int width, int height, int overlap, int scale, BlendMode blend, int blockHeight, int? count, int? tile, int largest,
        double maxHalo = DefaultMaxHalo)
    {
        ShardLayout Layout(int t) => ShardLayout.Create(new TilePlan.Axis(height, t, overlap), new TilePlan.Axis(width, t, overlap).Count, scale, blend, blockHeight);
        double Pixels(ShardLayout layout, long tiles) => (double)tiles * layout.Axis.ReadLength * new TilePlan.Axis(width, layout.Axis.TileSize, overlap).ReadLength;
        var single = Layout(largest);
        var oneRun = Pixels(single, single.Tiles());
        ShardChoice Of(int n, int t)
        {
            var layout = Layout(t);
            var tiles = Enumerable.Range(0, n).Sum(i => layout.Tiles(new Shard(i, n)));
            return new ShardChoice(n, t, tiles, layout.Tiles(), Pixels(layout, tiles), largest, oneRun);
        }

        var n = count ?? MostShards(single, maxHalo);
        // From the largest down, so that the larger tile wins a tie.
        var choices = (tile is { } fixedTile ? [fixedTile] : Enumerable.Range(overlap + 1, largest - overlap).Reverse()).Select(t => Of(n, t)).ToList();
        var under = choices.Where(c => c.Halo < maxHalo).ToList();
        var noHalo = under.Where(c => c.Tiles == c.SingleRunTiles).ToList();
        return (noHalo.Count > 0 ? noHalo : under.Count > 0 ? under : choices).MinBy(c => c.Pixels)!;
    }

    /// <summary>Shards from 1 up while the halo stays under <paramref name="maxHalo"/>, at most one per tile row and block row.</summary>
    private static int MostShards(ShardLayout layout, double maxHalo)
    {
        var most = Math.Min(layout.Axis.Count, BlockRows(layout.Height, layout.BlockHeight));
        var n = 1;
        while (n < most && layout.Halo(n + 1) < maxHalo) n++;
        return n;
    }
}

/// <summary><see cref="Count"/> shards in tiles of <see cref="Tile"/>: the tiles they infer together, one run's, and the network's work.</summary>
/// <param name="Pixels">input pixels the network computes over all shards (read windows, overlap included)</param>
/// <param name="OneRunPixels">the same for one unsplit run in tiles of <paramref name="OneRunTile"/> (a shard's default)</param>
public sealed record ShardChoice(int Count, int Tile, long Tiles, long SingleRunTiles, double Pixels, int OneRunTile, double OneRunPixels)
{
    /// <summary>Tiles inferred again by a second shard, as a fraction of one run's in the same tiles.</summary>
    public double Halo => (double)Tiles / SingleRunTiles - 1;

    /// <summary>The network's work over all shards against one run's in its default tiles: the cost in node-hours, smaller tiles' overlap included.</summary>
    public double Work => Pixels / OneRunPixels;
}

/// <summary>
/// A job's tile rows as shards see them: the output rows each tile row adds to (where its blend weight is not 0,
/// <see cref="BlendWeights.Reach"/>). A shard infers exactly the tile rows that reach into its rows, so a boundary costs
/// the tile rows whose reach straddles it: none on a tile-core edge with <c>--blend hardcrop</c> (each pixel comes from
/// one tile), one inside a core away from its feathered edges, two in a blend zone. Each boundary is the block-row edge
/// that costs least within one tile row of the even split (<see cref="ShardPlan.Rows"/>), the nearest on a tie, so the
/// shares stay close to even and every shard keeps at least one block row.
/// </summary>
/// <param name="Axis">the plan's rows of tiles</param>
/// <param name="Columns">tiles in each tile row</param>
/// <param name="Reach">per tile row, the output rows it adds to</param>
public sealed record ShardLayout(TilePlan.Axis Axis, int Columns, int Scale, int BlockHeight, IReadOnlyList<RowRange> Reach)
{
    public static ShardLayout For(TilePlan plan, int scale, BlendMode blend, int blockHeight) =>
        Create(plan.RowAxis, plan.Columns, scale, blend, blockHeight);

    /// <summary>The layout of a plan's rows without the plan's tiles (a planner weighs many tile sizes).</summary>
    public static ShardLayout Create(TilePlan.Axis rows, int columns, int scale, BlendMode blend, int blockHeight) =>
        new(rows, columns, scale, blockHeight, [.. BlendWeights.Reach(rows, scale, blend).Select(r => new RowRange(r.Start, r.End))]);

    /// <summary>Output rows of the whole job.</summary>
    public int Height => Axis.Length * Scale;

    /// <summary>Tiles of one unsplit run.</summary>
    public long Tiles() => (long)Axis.Count * Columns;

    /// <summary>The output rows of <paramref name="shard"/>.</summary>
    public RowRange Rows(Shard shard) => new(Boundary(shard.Index, shard.Count), Boundary(shard.Index + 1, shard.Count));

    /// <summary>True when tile row <paramref name="row"/> adds to an output row in <paramref name="rows"/>.</summary>
    public bool Needs(int row, RowRange rows) => Reach[row].From < rows.To && Reach[row].To > rows.From;

    /// <summary>The tiles <paramref name="shard"/> infers: every tile of the tile rows that reach into its rows.</summary>
    public long Tiles(Shard shard)
    {
        var rows = Rows(shard);
        return (long)Enumerable.Range(0, Axis.Count).Count(r => Needs(r, rows)) * Columns;
    }

    /// <summary>The halo of <paramref name="count"/> shards: tiles they infer together over one run's, minus 1.</summary>
    public double Halo(int count) => (double)Enumerable.Range(0, count).Sum(i => Tiles(new Shard(i, count))) / Tiles() - 1;

    /// <summary>Where shard <paramref name="i"/> of <paramref name="count"/> begins (<paramref name="i"/> = count: the bottom).</summary>
    private int Boundary(int i, int count)
    {
        var blockRows = ShardPlan.BlockRows(Height, BlockHeight);
        int Even(int k) => k == count ? blockRows : ShardPlan.Rows(Height, BlockHeight, new Shard(k, count)).From / BlockHeight;
        var even = Even(i);
        if (i == 0 || i == count) return Math.Min(Height, even * BlockHeight);
        // Half-way to the neighbouring boundaries at most, so boundaries stay in order and no shard is empty.
        var tileRow = (Axis.TileSize * Scale + BlockHeight - 1) / BlockHeight;
        int low = Math.Max((Even(i - 1) + even) / 2 + 1, even - tileRow), high = Math.Min((even + Even(i + 1)) / 2, even + tileRow);
        return Enumerable.Range(low, high - low + 1).MinBy(k => (Straddling(k * BlockHeight), Math.Abs(k - even), k)) * BlockHeight;
    }

    /// <summary>Tile rows that add to rows on both sides of output row edge <paramref name="y"/>: both shards infer them.</summary>
    private int Straddling(int y) => Reach.Count(r => r.From < y && r.To > y);
}
