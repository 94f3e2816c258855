namespace SatSR.Geometry;

/// <summary>Pixels [<see cref="Start"/>, <see cref="End"/>) along one axis: the end is exclusive, as a <see cref="Window"/>'s edges are.</summary>
public readonly record struct Interval(int Start, int End)
{
    /// <summary>
    /// True when neither ends at or before the other starts: for intervals with pixels, when they share one. Touching at
    /// an edge is not overlapping.
    /// </summary>
    public bool Overlaps(Interval other) => Start < other.End && other.Start < End;
}
