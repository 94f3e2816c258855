namespace SatSR.Pixels;

/// <summary>One source pixel's share of a destination pixel.</summary>
public readonly record struct Tap(int Index, double Weight);

/// <summary>
/// One axis of a separable resampling from <see cref="SourceLength"/> pixels onto <see cref="DestinationLength"/>
/// pixels spanning the same extent (first and last pixel edges coincide), so destination pixel d's centre is at source
/// coordinate (d + 0.5)·SourceLength/DestinationLength. <see cref="Create"/> averages the covered area when shrinking
/// (or keeping the size), so nothing aliases, and uses Lanczos-3 on pixel centres when enlarging; <see cref="Bicubic"/>
/// and <see cref="Gaussian"/> apply those kernels on pixel centres. Kernels replicate the edge pixels. Each pixel's
/// weights sum to 1.
/// </summary>
public sealed class ResampleAxis
{
    private const int LanczosLobes = 3;

    /// <summary>Keys' cubic convolution parameter, as PIL's and MATLAB's imresize bicubic use (OpenCV's INTER_CUBIC takes −0.75).</summary>
    public const double BicubicA = -0.5;

    private readonly Tap[][] _taps;

    private ResampleAxis(int sourceLength, int destinationLength, Tap[][] taps)
    {
        SourceLength = sourceLength;
        DestinationLength = destinationLength;
        _taps = taps;
    }

    public int SourceLength { get; }
    public int DestinationLength { get; }

    /// <summary>True when the destination has more pixels than the source (for <see cref="Create"/>: Lanczos-3, not area).</summary>
    public bool Enlarges => DestinationLength > SourceLength;

    public static ResampleAxis Create(int sourceLength, int destinationLength) => Build(sourceLength, destinationLength, (d, ratio) =>
        destinationLength > sourceLength ? KernelTaps(d, ratio, sourceLength, Lanczos, LanczosLobes) : AreaTaps(d, ratio, sourceLength));

    /// <summary>Bicubic (Keys, a = <see cref="BicubicA"/>, support ±2 source pixels) on pixel centres.</summary>
    public static ResampleAxis Bicubic(int sourceLength, int destinationLength) =>
        FromKernel(sourceLength, destinationLength, Cubic, 2);

    /// <summary>
    /// A Gaussian of <paramref name="sigma"/> source pixels on pixel centres, cut at 4σ: a blur and resampling in one
    /// (the kernel does not widen when shrinking; σ says how much it blurs).
    /// </summary>
    public static ResampleAxis Gaussian(int sourceLength, int destinationLength, double sigma)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be positive");
        return FromKernel(sourceLength, destinationLength, x => Math.Exp(-x * x / (2 * sigma * sigma)), (int)Math.Ceiling(4 * sigma));
    }

    private static ResampleAxis FromKernel(int sourceLength, int destinationLength, Func<double, double> kernel, int radius) =>
        Build(sourceLength, destinationLength, (d, ratio) => KernelTaps(d, ratio, sourceLength, kernel, radius));

    /// <summary>The axis whose destination pixel d takes <paramref name="taps"/>(d, source/destination ratio).</summary>
    private static ResampleAxis Build(int sourceLength, int destinationLength, Func<int, double, Tap[]> taps)
    {
        if (sourceLength <= 0 || destinationLength <= 0) throw new ArgumentOutOfRangeException(nameof(destinationLength), "lengths must be positive");
        var ratio = (double)sourceLength / destinationLength;
        return new ResampleAxis(sourceLength, destinationLength, Enumerable.Range(0, destinationLength).Select(d => taps(d, ratio)).ToArray());
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

    /// <summary>
    /// <paramref name="kernel"/> (zero beyond <paramref name="radius"/>) around the destination centre in source
    /// pixel-centre coordinates, normalised; taps past an edge go to the edge pixel.
    /// </summary>
    private static Tap[] KernelTaps(int d, double ratio, int sourceLength, Func<double, double> kernel, int radius)
    {
        var centre = (d + 0.5) * ratio - 0.5;
        var first = (int)Math.Floor(centre) - radius + 1;
        var list = new List<Tap>();
        double sum = 0;
        for (var s = first; s < first + 2 * radius; s++)
        {
            var w = kernel(centre - s);
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

    private static double Cubic(double x)
    {
        x = Math.Abs(x);
        const double a = BicubicA;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }
}
