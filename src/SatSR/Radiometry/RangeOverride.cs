namespace SatSR.Radiometry;

/// <summary>
/// A value range given by the user (<c>--range LOW,HIGH</c> or <c>--range BAND:LOW,HIGH</c>): these values map to the
/// network's 0 and 1 instead of the measured ones. <see cref="Band"/> is 1-based; null means every band.
/// </summary>
public readonly record struct RangeOverride(int? Band, double Low, double High)
{
    public override string ToString() => Band is { } b ? FormattableString.Invariant($"{b}:{Low},{High}") : FormattableString.Invariant($"{Low},{High}");
}
