namespace SatSR.Pixels;

/// <summary>
/// The eight flips and quarter turns of a square plane (the dihedral group D4), for test-time augmentation: transform
/// k is an optional mirror (k ≥ 4: columns reversed) followed by (k mod 4) quarter turns counter-clockwise.
/// <code>
///   a b      k=1: b d      k=4: b a      k=5: a c
///   c d           a c           d c           b d
/// </code>
/// </summary>
public static class Dihedral
{
    public const int Count = 8;

    /// <summary>Writes transform <paramref name="k"/> of the <paramref name="side"/>² plane <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int side, int k)
    {
        for (var r = 0; r < side; r++)
        {
            for (var c = 0; c < side; c++)
            {
                // Pull: undo the turns, then the mirror, to find where destination (r, c) comes from.
                int sr = r, sc = c;
                for (var q = 0; q < k % 4; q++) (sr, sc) = (sc, side - 1 - sr);
                if (k >= 4) sc = side - 1 - sc;
                destination[r * side + c] = source[sr * side + sc];
            }
        }
    }

    /// <summary>Adds the inverse of transform <paramref name="k"/> of <paramref name="source"/> to <paramref name="sum"/>: the plane back in its original orientation.</summary>
    public static void AddInverse(ReadOnlySpan<float> source, Span<double> sum, int side, int k)
    {
        for (var r = 0; r < side; r++)
        {
            for (var c = 0; c < side; c++)
            {
                // Pixel (r, c) of the original went to (tr, tc) of the transformed plane.
                int tr = r, tc = c;
                if (k >= 4) tc = side - 1 - tc;
                for (var q = 0; q < k % 4; q++) (tr, tc) = (side - 1 - tc, tr);
                sum[r * side + c] += source[tr * side + tc];
            }
        }
    }
}
