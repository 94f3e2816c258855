namespace SatSR.Geometry;

/// <summary>
/// GDAL's affine geotransform: map X = C0 + col·C1 + row·C2, map Y = C3 + col·C4 + row·C5,
/// where (col, row) is a pixel corner. The rotation terms C2 and C4 are zero for north-up images.
/// </summary>
public readonly record struct GeoTransform(double C0, double C1, double C2, double C3, double C4, double C5)
{
    public static GeoTransform Identity => new(0, 1, 0, 0, 0, 1);

    public static GeoTransform FromArray(ReadOnlySpan<double> c) => new(c[0], c[1], c[2], c[3], c[4], c[5]);

    public double[] ToArray() => [C0, C1, C2, C3, C4, C5];

    /// <summary>The grid <paramref name="factor"/> times finer: same origin, all four linear terms divided.</summary>
    public GeoTransform Scaled(double factor) => Scaled(factor, factor);

    /// <summary>
    /// The grid <paramref name="columnFactor"/> times finer across and <paramref name="rowFactor"/> times finer down:
    /// same origin, the column terms (C1, C4) and the row terms (C2, C5) divided by their axis' factor.
    /// </summary>
    public GeoTransform Scaled(double columnFactor, double rowFactor) =>
        new(C0, C1 / columnFactor, C2 / rowFactor, C3, C4 / columnFactor, C5 / rowFactor);

    /// <summary>The transform of a window's own pixel grid (its origin moves to the window's corner).</summary>
    public GeoTransform ForWindow(Window window) => this with
    {
        C0 = C0 + window.Column * C1 + window.Row * C2,
        C3 = C3 + window.Column * C4 + window.Row * C5,
    };

    public (double X, double Y) Apply(double column, double row) =>
        (C0 + column * C1 + row * C2, C3 + column * C4 + row * C5);

    /// <summary>True when the linear terms map the plane onto a line or a point, so no map point has one pixel.</summary>
    public bool IsSingular => C1 * C5 - C2 * C4 == 0;

    /// <summary>The (corner-based) pixel coordinates of map point (x, y): the inverse of <see cref="Apply"/>.</summary>
    public (double Column, double Row) ToPixel(double x, double y)
    {
        if (IsSingular) throw new InvalidOperationException($"the geotransform {this} has no inverse");
        double det = C1 * C5 - C2 * C4, dx = x - C0, dy = y - C3;
        return ((C5 * dx - C2 * dy) / det, (C1 * dy - C4 * dx) / det);
    }
}
