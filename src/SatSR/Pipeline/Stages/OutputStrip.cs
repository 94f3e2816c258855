using SatSR.Geometry;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// Blended output rows of one column chunk, band-major, waiting until every tile touching them is done.
/// Tiles add their weighted predictions; finished rows leave from the top (<see cref="Drop"/>), and their storage,
/// cleared, holds the rows that come next at the bottom: the rows live in a ring, so none is ever moved.
/// <code>
///   Top ─► ┌───────────────┐  rows final → flushed in whole output blocks
///          │ ░░░░░░░░░░░░░ │  rows the next tile row still adds to
///          └───────────────┘  Top + Capacity
/// </code>
/// </summary>
internal sealed class OutputStrip
{
    private readonly float[] _sums;

    /// <summary>Where row <see cref="Top"/> lies in each band's ring of <see cref="Capacity"/> rows.</summary>
    private int _first;

    /// <param name="storage">reused between chunks when large enough (does not take ownership); cleared here</param>
    public OutputStrip(int bands, int left, int width, int capacity, int top = 0, float[]? storage = null)
    {
        Top = top;
        Bands = bands;
        Left = left;
        Width = width;
        Capacity = capacity;
        var n = (long)bands * width * capacity;
        if (n > Array.MaxLength) throw new InsufficientMemoryException($"a strip of {n} values is too large; lower the strip budget or the tile size");
        _sums = storage is not null && storage.Length >= n ? storage : new float[n];
        _sums.AsSpan(0, (int)n).Clear();
    }

    /// <summary>The values behind the strip, for the next chunk to reuse.</summary>
    public float[] Storage => _sums;

    public int Bands { get; }
    public int Left { get; }
    public int Width { get; }
    public int Capacity { get; }
    public int Top { get; private set; }

    /// <summary>
    /// Adds <paramref name="prediction"/> (one band, covering output window <paramref name="area"/>) weighted by
    /// <c>rows[y]·columns[x]</c>; only the part inside the strip's columns and below its top is kept (rows above the
    /// top are already written, which happens when a resumed run re-infers a tile row).
    /// </summary>
    public void Add(int band, Window area, ReadOnlySpan<float> prediction, ReadOnlySpan<float> rows, ReadOnlySpan<float> columns)
    {
        if (area.Bottom > Top + Capacity) throw new InvalidOperationException($"rows {area} outside strip at {Top}+{Capacity}");
        var x0 = Math.Max(area.Column, Left);
        var x1 = Math.Min(area.Right, Left + Width);
        if (x0 >= x1) return;
        var plane = _sums.AsSpan(band * Width * Capacity, Width * Capacity);
        var count = x1 - x0;
        var weights = columns.Slice(x0 - area.Column, count);
        var width = System.Numerics.Vector<float>.Count;
        for (var y = Math.Max(0, Top - area.Row); y < area.Height; y++)
        {
            var wy = rows[y];
            var src = prediction.Slice(y * area.Width + x0 - area.Column, count);
            var dst = plane.Slice(Slot(area.Row + y) * Width + x0 - Left, count);
            // (row weight · column weight) · value, added lane by lane: the scalar arithmetic, bit for bit.
            var x = 0;
            var row = new System.Numerics.Vector<float>(wy);
            for (; x <= count - width; x += width)
            {
                var sum = new System.Numerics.Vector<float>(dst[x..]) + row * new System.Numerics.Vector<float>(weights[x..]) * new System.Numerics.Vector<float>(src[x..]);
                sum.CopyTo(dst[x..]);
            }
            for (; x < count; x++) dst[x] += wy * weights[x] * src[x];
        }
    }

    /// <summary>Row <paramref name="y"/> (absolute output row) of band <paramref name="band"/>.</summary>
    public ReadOnlySpan<float> Row(int band, int y) => _sums.AsSpan(band * Width * Capacity + Slot(y) * Width, Width);

    /// <summary>The ring position of absolute output row <paramref name="y"/> (Top ≤ y &lt; Top + Capacity).</summary>
    private int Slot(int y) => (_first + (y - Top)) % Capacity;

    /// <summary>Forgets rows above <paramref name="newTop"/>; their storage, cleared, becomes the rows below the last.</summary>
    public void Drop(int newTop)
    {
        var count = Math.Min(newTop - Top, Capacity);
        if (count <= 0) return;
        for (var b = 0; b < Bands; b++)
        {
            var plane = _sums.AsSpan(b * Width * Capacity, Width * Capacity);
            // The dropped rows: from _first to the ring's end, then from its start.
            var head = Math.Min(count, Capacity - _first);
            plane.Slice(_first * Width, head * Width).Clear();
            plane[..((count - head) * Width)].Clear();
        }
        _first = (_first + count) % Capacity;
        Top = newTop;
    }
}
