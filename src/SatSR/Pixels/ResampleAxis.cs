namespace SatSR.Pixels;

/// <summary>One source pixel's share of a destination pixel.</summary>
public readonly record struct Tap(int Index, double Weight);

/// <summary>
/// One axis of a separable resampling from <see cref="SourceLength"/> pixels onto <see cref="DestinationLength"/>
/// pixels spanning the same extent (first and last pixel edges coincide), so destination pixel d's centre is at source
/// coordinate (d + 0.5)·SourceLength/DestinationLength. Shrinking (or keeping the size) averages the covered area, so
/// nothing aliases; enlarging uses Lanczos-3 on pixel centres, edges replicated. Each pixel's weights sum to 1.
/// </summary>
public sealed class ResampleAxis
{
    private const int LanczosLobes = 3;

    private readonly Tap[][] _taps;

    private ResampleAxis(int sourceLength, int destinationLength, Tap[][] taps)
    {
        SourceLength = sourceLength;
        DestinationLength = destinationLength;
        _taps = taps;
    }

    public int SourceLength { get; }
    public int DestinationLength { get; }

    /// <summary>True when the axis enlarges and so interpolates with Lanczos-3; false for area averaging.</summary>
    public bool Enlarges => DestinationLength > SourceLength;

    public static ResampleAxis Create(int sourceLength, int destinationLength)
    {
        if (sourceLength <= 0 || destinationLength <= 0) throw new ArgumentOutOfRangeException(nameof(destinationLength), "lengths must be positive");
        var ratio = (double)sourceLength / destinationLength;
        var taps = new Tap[destinationLength][];
        for (var d = 0; d < destinationLength; d++)
        {
            taps[d] = destinationLength > sourceLength ? LanczosTaps(d, ratio, sourceLength) : AreaTaps(d, ratio, sourceLength);
        }
        return new ResampleAxis(sourceLength, destinationLength, taps);
    }

    /// <summary>The source pixels destination pixel <paramref name="d"/> takes, in increasing index order.</summary>
    public ReadOnlySpan<Tap> Taps(int d) => _taps[d];

    /// <summary>The source pixels [Start, End) that destination pixels [<paramref name="first"/>, <paramref name="end"/>) take.</summary>
    public (int Start, int End) Support(int first, int end) => (_taps[first][0].Index, _taps[end - 1][^1].Index + 1);

    /// <summary>
    /// The source pixel under destination pixel <paramref name="d"/>'s centre: nearest-neighbour resampling from
    /// <paramref name="sourceLength"/> onto <paramref name="destinationLength"/> pixels of the same extent.
    /// </summary>
    public static int Nearest(int d, int sourceLength, int destinationLength) =>
        Math.Min(sourceLength - 1, (int)Math.Floor((d + 0.5) * sourceLength / destinationLength));

    /// <summary>The source pixels covering [d·ratio, (d+1)·ratio), each weighted by its share of that interval.</summary>
    private static Tap[] AreaTaps(int d, double ratio, int sourceLength)
    {
        double start = d * ratio, end = (d + 1) * ratio;
        var list = new List<Tap>();
        for (var s = (int)Math.Floor(start); s < Math.Min(sourceLength, (int)Math.Ceiling(end)); s++)
        {
            var cover = Math.Min(end, s + 1) - Math.Max(start, s);
            if (cover > 1e-12) list.Add(new Tap(s, cover / ratio));
        }
        return [.. list];
    }

    /// <summary>Lanczos-3 around the destination centre in source pixel-centre coordinates; taps past an edge go to the edge pixel.</summary>
    private static Tap[] LanczosTaps(int d, double ratio, int sourceLength)
    {
        var centre = (d + 0.5) * ratio - 0.5;
        var first = (int)Math.Floor(centre) - LanczosLobes + 1;
        var list = new List<Tap>();
        double sum = 0;
        for (var s = first; s < first + 2 * LanczosLobes; s++)
        {
            var w = Lanczos(centre - s);
            if (Math.Abs(w) < 1e-12) continue;
            var index = Math.Clamp(s, 0, sourceLength - 1);
            if (list.Count > 0 && list[^1].Index == index) list[^1] = list[^1] with { Weight = list[^1].Weight + w };
            else list.Add(new Tap(index, w));
            sum += w;
        }
        return list.Select(t => t with { Weight = t.Weight / sum }).ToArray();
    }

    private static double Lanczos(double x)
    {
        if (x == 0) return 1;
        if (Math.Abs(x) >= LanczosLobes) return 0;
        var px = Math.PI * x;
        return LanczosLobes * Math.Sin(px) * Math.Sin(px / LanczosLobes) / (px * px);
    }
}
