using System.Globalization;
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
/// Which output rows each shard writes: whole rows of output blocks, the block rows shared out as evenly as they go
/// (shard i starts at block row ⌊B·i/N⌋, so shares differ by one at most, the first the smaller and the last the
/// larger when they do not divide), the last shard ending at the image's bottom. Every
/// shard infers the tile rows whose scaled read window reaches into its rows, so the rows next to a boundary are
/// computed by both neighbours (the halo); the blend in each row is the one an unsplit run makes.
/// </summary>
public static class ShardPlan
{
    /// <summary>The output rows of <paramref name="shard"/> in an output <paramref name="height"/> rows high in blocks of <paramref name="blockHeight"/>.</summary>
    public static RowRange Rows(int height, int blockHeight, Shard shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockHeight);
        var blockRows = (height + blockHeight - 1) / blockHeight;
        if (shard.Count > blockRows)
        {
            throw new InvalidOptionsException($"--shard {shard}: the output has {blockRows} block row(s) of {blockHeight} pixels; split it into at most {blockRows}");
        }
        long first = (long)blockRows * shard.Index / shard.Count, end = (long)blockRows * (shard.Index + 1) / shard.Count;
        return new RowRange((int)first * blockHeight, (int)Math.Min(height, end * blockHeight));
    }

    /// <summary>True when tile row <paramref name="row"/> of <paramref name="plan"/>, at ×<paramref name="scale"/>, adds to an output row in <paramref name="rows"/>.</summary>
    public static bool Touches(TilePlan plan, int scale, int row, RowRange rows) =>
        (long)plan.RowAxis.ReadStart(row) * scale < rows.To && (long)(plan.RowAxis.ReadStart(row) + plan.ReadHeight) * scale > rows.From;

    /// <summary>The tiles shard <paramref name="shard"/> infers: every tile of the rows that touch its output rows.</summary>
    public static long Tiles(TilePlan plan, int scale, int blockHeight, Shard shard)
    {
        var rows = Rows(plan.Height * scale, blockHeight, shard);
        return (long)Enumerable.Range(0, plan.Rows).Count(r => Touches(plan, scale, r, rows)) * plan.Columns;
    }
}
