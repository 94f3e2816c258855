namespace SatSR.Geometry;

/// <summary>
/// A rectangle of whole pixels: <c>Column</c>/<c>Row</c> is the top-left corner, the right and bottom edges are exclusive.
/// <code>
///   Column ──► Right (exclusive)
///   ┌─────────┐ Row
///   │         │
///   └─────────┘ Bottom (exclusive)
/// </code>
/// Every method returns a new window; a window never changes.
/// </summary>
public readonly record struct Window(int Column, int Row, int Width, int Height)
{
    public int Right => Column + Width;
    public int Bottom => Row + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;
    public long Area => IsEmpty ? 0 : (long)Width * Height;

    public static Window FromEdges(int left, int top, int right, int bottom) =>
        new(left, top, Math.Max(0, right - left), Math.Max(0, bottom - top));

    /// <summary>The overlap of two windows; empty (zero size) when they do not touch.</summary>
    public Window Intersect(Window other) => FromEdges(
        Math.Max(Column, other.Column), Math.Max(Row, other.Row),
        Math.Min(Right, other.Right), Math.Min(Bottom, other.Bottom));

    public bool Intersects(Window other) => !Intersect(other).IsEmpty;

    public bool Contains(Window other) =>
        other.Column >= Column && other.Row >= Row && other.Right <= Right && other.Bottom <= Bottom;

    /// <summary>Grows every side by <paramref name="margin"/> pixels (no clipping).</summary>
    public Window Pad(int margin) => new(Column - margin, Row - margin, Width + 2 * margin, Height + 2 * margin);

    /// <summary>The same area on a grid <paramref name="factor"/> times finer (an input window → its output window).</summary>
    public Window Scale(int factor) => new(Column * factor, Row * factor, Width * factor, Height * factor);

    public Window ClipTo(Window bounds) => Intersect(bounds);

    /// <summary>This window in the coordinates of <paramref name="origin"/>'s top-left corner.</summary>
    public Window RelativeTo(Window origin) => this with { Column = Column - origin.Column, Row = Row - origin.Row };

    public Window Translate(int columns, int rows) => this with { Column = Column + columns, Row = Row + rows };

    public override string ToString() => $"[col {Column}, row {Row}, {Width}×{Height}]";
}
