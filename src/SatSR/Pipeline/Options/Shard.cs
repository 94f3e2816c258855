using System.Globalization;

namespace SatSR.Pipeline.Options;

/// <summary>Shard <see cref="Index"/> of <see cref="Count"/> (0 ≤ Index &lt; Count): one process's part of a job split across machines.</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary><c>i/N</c>, as <c>--shard</c> takes it.</summary>
    public static Shard Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash > 0 &&
            int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var i) &&
            int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) &&
            n >= 1 && i < n)
        {
            return new Shard(i, n);
        }
        throw new InvalidOptionsException($"{OptionName.Shard} {text}: expected i/N with 0 ≤ i < N, e.g. 0/4", text);
    }

    public override string ToString() => FormattableString.Invariant($"{Index}/{Count}");
}
