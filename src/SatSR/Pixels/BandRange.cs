namespace SatSR.Pixels;

/// <summary>
/// The values of one band that map to 0 and 1 for the network. Fixed for the whole image (never per tile), so
/// neighbouring tiles see the same brightness and the mapping back is exact.
/// </summary>
public readonly record struct BandRange(double Low, double High)
{
    public static BandRange Byte => new(0, 255);

    /// <summary>The width of the range (1 for an empty one): a unit step.</summary>
    public double Span => High > Low ? High - Low : 1;

    public float ToUnit(double value) => (float)((value - Low) / Span);

    public double FromUnit(float unit) => unit * Span + Low;
}
