using SatSR.Geometry;

namespace SatSR.Tiling;

/// <summary>
/// A grid of tiles over a <see cref="Width"/>×<see cref="Height"/> image, row-major.
/// <code>
///   ┌──────┬──────┬───┐   cores: TileSize × TileSize, the last row/column takes the remainder
///   │ core │      │   │
///   ├──────┼──────┼───┤   read:  core ± Overlap, clamped to the image and then shifted inward so that
///   │   ┌──┼───┐  │   │          every read window is exactly ReadWidth × ReadHeight
///   └───┴──┴───┴──┴───┘
/// </code>
/// One read shape for every tile means the runtime never re-plans for a new input shape. When the model needs a
/// size it cannot get from the image (smaller than its minimum, not a multiple), the tensor is padded to
/// <see cref="TensorWidth"/>×<see cref="TensorHeight"/>.
/// </summary>
public sealed class TilePlan
{
    private TilePlan(int width, int height, int tileSize, int overlap, Axis columns, Axis rows, SizeRequirements req)
    {
        Width = width;
        Height = height;
        TileSize = tileSize;
        Overlap = overlap;
        ColumnAxis = columns;
        RowAxis = rows;
        TensorWidth = req.RoundUp(columns.ReadLength);
        TensorHeight = req.RoundUp(rows.ReadLength);
        var tiles = new List<Tile>(rows.Count * columns.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                tiles.Add(new Tile(
                    tiles.Count, r, c,
                    new Window(columns.CoreStart(c), rows.CoreStart(r), columns.CoreLength(c), rows.CoreLength(r)),
                    new Window(columns.ReadStart(c), rows.ReadStart(r), columns.ReadLength, rows.ReadLength)));
            }
        }
        Tiles = tiles;
    }

    public int Width { get; }
    public int Height { get; }
    public int TileSize { get; }
    public int Overlap { get; }
    public int Rows => RowAxis.Count;
    public int Columns => ColumnAxis.Count;
    public int ReadWidth => ColumnAxis.ReadLength;
    public int ReadHeight => RowAxis.ReadLength;
    public int TensorWidth { get; }
    public int TensorHeight { get; }
    public IReadOnlyList<Tile> Tiles { get; }
    public Window Bounds => new(0, 0, Width, Height);

    /// <summary>The tiling of one image axis; the plan is the product of its two axes.</summary>
    public Axis ColumnAxis { get; }
    public Axis RowAxis { get; }

    public Tile this[int gridRow, int gridColumn] => Tiles[gridRow * Columns + gridColumn];

    /// <summary>The plan holds every tile; 16 M tiles (a 10⁶-pixel-square image in 256-pixel tiles) is about 1 GB of them.</summary>
    public const int MaxTiles = 1 << 24;

    public static TilePlan Create(int width, int height, int tileSize, int overlap, SizeRequirements requirements = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        if (requirements == default) requirements = SizeRequirements.Any;
        var count = (long)((width + (long)tileSize - 1) / tileSize) * ((height + (long)tileSize - 1) / tileSize);
        if (count > MaxTiles)
        {
            throw new InvalidOptionsException($"{width}×{height} pixels make {count:N0} tiles of {tileSize} pixels, more than {MaxTiles:N0}; use a larger {OptionName.TileSize}", tileSize);
        }
        return new TilePlan(width, height, tileSize, overlap,
            new Axis(width, tileSize, overlap), new Axis(height, tileSize, overlap), requirements);
    }

    /// <summary>Tiling of one axis of <see cref="Length"/> pixels into cores of <see cref="TileSize"/>.</summary>
    public sealed record Axis(int Length, int TileSize, int Overlap)
    {
        public int Count => (Length + TileSize - 1) / TileSize;

        /// <summary>Every tile reads this many pixels: core plus overlap on both sides, at most the whole axis.</summary>
        public int ReadLength => Math.Min(Length, TileSize + 2 * Overlap);

        public int CoreStart(int i) => i * TileSize;

        public int CoreLength(int i) => Math.Min(TileSize, Length - CoreStart(i));

        public int ReadStart(int i) => Math.Clamp(CoreStart(i) - Overlap, 0, Length - ReadLength);

        /// <summary>True when the read window of tile <paramref name="i"/> starts at the image's first pixel.</summary>
        public bool TouchesStart(int i) => ReadStart(i) == 0;

        public bool TouchesEnd(int i) => ReadStart(i) + ReadLength == Length;
    }
}
