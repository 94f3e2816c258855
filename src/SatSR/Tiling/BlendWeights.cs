namespace SatSR.Tiling;

/// <summary>How overlapping tile predictions are combined.</summary>
public enum BlendMode
{
    /// <summary>Raised-cosine ramps across the overlap; smooth, seam-free.</summary>
    Feather,

    /// <summary>Each output pixel comes from the tile whose core holds it (Real-ESRGAN's tile mode); for comparison.</summary>
    HardCrop,
}

/// <summary>
/// Per-tile blending weights in output pixels, normalised so that at every output pixel the weights of all tiles
/// covering it sum to 1. A tile's weight is <c>Rows(r)[y] · Columns(c)[x]</c>: the plan is a product of two axes,
/// so the normalisation is too, and two small 1-D tables per axis replace a weight plane per tile.
/// </summary>
public sealed class BlendWeights
{
    private readonly float[][] _columns;
    private readonly float[][] _rows;

    private BlendWeights(float[][] columns, float[][] rows)
    {
        _columns = columns;
        _rows = rows;
    }

    /// <summary>Weights over the read width × scale of tiles in grid column <paramref name="gridColumn"/>.</summary>
    public ReadOnlySpan<float> Columns(int gridColumn) => _columns[gridColumn];

    /// <summary>Weights over the read height × scale of tiles in grid row <paramref name="gridRow"/>.</summary>
    public ReadOnlySpan<float> Rows(int gridRow) => _rows[gridRow];

    public static BlendWeights Create(TilePlan plan, int scale, BlendMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        return new BlendWeights(ForAxis(plan.ColumnAxis, scale, mode), ForAxis(plan.RowAxis, scale, mode));
    }

    /// <summary>
    /// For each tile along <paramref name="axis"/>, the output pixels [Start, End) where its weight is not 0: the only
    /// ones it adds to. A job that writes part of the output needs exactly the tiles whose reach meets that part.
    /// </summary>
    public static (int Start, int End)[] Reach(TilePlan.Axis axis, int scale, BlendMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        var weights = ForAxis(axis, scale, mode);
        return [.. weights.Select((w, i) => (axis.ReadStart(i) * scale + Array.FindIndex(w, v => v != 0f), axis.ReadStart(i) * scale + Array.FindLastIndex(w, v => v != 0f) + 1))];
    }

    private static float[][] ForAxis(TilePlan.Axis axis, int scale, BlendMode mode)
    {
        var length = axis.ReadLength * scale;
        var raw = new float[axis.Count][];
        var total = new double[axis.Length * scale];
        for (var i = 0; i < axis.Count; i++)
        {
            var w = raw[i] = new float[length];
            var start = axis.ReadStart(i) * scale;
            var coreStart = axis.CoreStart(i) * scale - start;
            var coreEnd = coreStart + axis.CoreLength(i) * scale;
            for (var x = 0; x < length; x++)
            {
                w[x] = mode == BlendMode.HardCrop
                    ? (x >= coreStart && x < coreEnd ? 1f : 0f)
                    : Ramp(x, axis.Overlap * scale, axis.TouchesStart(i)) * Ramp(length - 1 - x, axis.Overlap * scale, axis.TouchesEnd(i));
                total[start + x] += w[x];
            }
        }

        for (var i = 0; i < axis.Count; i++)
        {
            var start = axis.ReadStart(i) * scale;
            for (var x = 0; x < length; x++)
            {
                raw[i][x] = (float)(raw[i][x] / total[start + x]);
            }
        }
        return raw;
    }

    /// <summary>
    /// Raised-cosine rise from 0 to 1 across <c>[overlap − overlap/2, overlap + overlap/2)</c> pixels from a tile edge
    /// that lies inside the image, so the pixels nearest a tile edge (where the network lacked context) get no weight
    /// at all. Neighbours on a regular grid meet at the core boundary with weights that already sum to 1; image
    /// edges get no ramp (no neighbour can take over). Every core pixel is at least the overlap away from its own
    /// tile's inner edges, so its weight there is at least ½ and the normalising total is never 0.
    /// </summary>
    private static float Ramp(int distance, int overlap, bool atImageEdge)
    {
        if (atImageEdge || overlap == 0) return 1f;
        var half = Math.Max(1, overlap / 2);
        var t = (distance + 0.5 - (overlap - half)) / (2.0 * half);
        if (t <= 0) return 0f;
        if (t >= 1) return 1f;
        return (float)(0.5 - 0.5 * Math.Cos(Math.PI * t));
    }
}
