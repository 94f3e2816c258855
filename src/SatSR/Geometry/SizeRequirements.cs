namespace SatSR.Geometry;

/// <summary>What input sizes a model accepts: at least <see cref="Minimum"/> pixels, a multiple of <see cref="MultipleOf"/>.</summary>
public readonly record struct SizeRequirements(int Minimum = 1, int MultipleOf = 1)
{
    public static SizeRequirements Any => new(1, 1);

    /// <summary>The smallest accepted size that is at least <paramref name="size"/>.</summary>
    public int RoundUp(int size)
    {
        var s = Math.Max(size, Minimum);
        return (s + MultipleOf - 1) / MultipleOf * MultipleOf;
    }
}
