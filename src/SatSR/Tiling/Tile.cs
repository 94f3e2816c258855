using SatSR.Geometry;

namespace SatSR.Tiling;

/// <summary>
/// One unit of inference. <see cref="Core"/> windows of all tiles partition the image; <see cref="Read"/> is the
/// core grown by the overlap on every side (shifted inward at the image edge so every tile has the plan's one
/// shape). All windows are in input pixels.
/// </summary>
public sealed record Tile(int Index, int GridRow, int GridColumn, Window Core, Window Read);
