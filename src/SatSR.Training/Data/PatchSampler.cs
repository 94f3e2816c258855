using SatSR.Geometry;

namespace SatSR.Training.Data;

/// <summary>One training example: where it comes from, and how it is flipped.</summary>
internal readonly record struct Patch(int Image, int[] Group, Window Window, bool FlipX, bool FlipY);

/// <summary>
/// Draws HR patches only where every pixel is valid and the patch stays clear of the held-out windows. Every
/// possible patch position (on a grid of the scale, so an LR pixel covers exactly scale×scale HR pixels) is listed up
/// front from a summed-area table of invalid pixels, so sampling is uniform over what is allowed and "nothing valid
/// to sample" is known before training starts. Each patch first picks an image by the images' weights, then a position
/// in it, so a small scene is not drowned by a big one. The patches of step <c>t</c> depend only on (seed, t), so a
/// resumed run draws the same patches as an uninterrupted one.
/// </summary>
internal sealed class PatchSampler
{
    private readonly List<(int X, int Y)>[] _positions;
    private readonly double[] _cumulative;
    private readonly IReadOnlyList<TrainingImage> _images;
    private readonly int _size;

    /// <param name="excluded">per image, the windows no patch may touch (validation and held-out windows)</param>
    /// <param name="weights">per image, how often it is drawn from relative to the others; null: equally often</param>
    /// <param name="lowRes">paired mode: the co-registered LR image of image 0, whose pixels must be valid too</param>
    public PatchSampler(IReadOnlyList<TrainingImage> images, int size, int scale, IReadOnlyList<IReadOnlyList<Window>> excluded,
        IReadOnlyList<double>? weights = null, TrainingImage? lowRes = null)
    {
        _images = images;
        _size = size;
        _positions = new List<(int X, int Y)>[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var list = _positions[i] = [];
            var blocked = Invalid(image.Width, image.Height, image.Valid, excluded[i]);
            var blockedLow = lowRes is null ? null : Invalid(lowRes.Width, lowRes.Height, lowRes.Valid, []);
            for (var y = 0; y + size <= image.Height; y += scale)
            {
                for (var x = 0; x + size <= image.Width; x += scale)
                {
                    if (Count(blocked, image.Width, x, y, size, size) != 0) continue;
                    if (blockedLow is not null &&
                        (x / scale + size / scale > lowRes!.Width || y / scale + size / scale > lowRes.Height ||
                         Count(blockedLow, lowRes.Width, x / scale, y / scale, size / scale, size / scale) != 0)) continue;
                    list.Add((x, y));
                }
            }
        }
        // An image with no allowed position is never drawn; the caller decides whether that is an error.
        _cumulative = new double[images.Count];
        double sum = 0;
        for (var i = 0; i < images.Count; i++) _cumulative[i] = sum += _positions[i].Count == 0 ? 0 : weights?[i] ?? 1;
    }

    public int PositionCount => _positions.Sum(p => p.Count);

    /// <summary>How many positions image <paramref name="image"/> allows.</summary>
    public int PositionsOf(int image) => _positions[image].Count;

    /// <summary>The <paramref name="batch"/> patches of step <paramref name="step"/>.</summary>
    public Patch[] Draw(long seed, long step, int batch)
    {
        var rng = StepRandom(seed, step, 0);
        return Enumerable.Range(0, batch).Select(_ =>
        {
            var image = Pick(rng.NextDouble() * _cumulative[^1]);
            var (x, y) = _positions[image][rng.Next(_positions[image].Count)];
            var groups = _images[image].Groups;
            return new Patch(image, groups[rng.Next(groups.Length)], new Window(x, y, _size, _size), rng.Next(2) == 1, rng.Next(2) == 1);
        }).ToArray();
    }

    /// <summary>The image whose share of the cumulative weights holds <paramref name="u"/> (images of weight 0 never).</summary>
    private int Pick(double u)
    {
        for (var i = 0; i < _cumulative.Length; i++)
            if (u < _cumulative[i]) return i;
        return Array.FindLastIndex(_positions, p => p.Count > 0);
    }

    /// <summary>A generator that depends only on (seed, step, stream): SplitMix64 of the three, seeding System.Random's
    /// fixed (seeded, so stable across runs and versions) algorithm.</summary>
    public static Random StepRandom(long seed, long step, int stream)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return new Random((int)((z ^ (z >> 31)) & 0x7FFFFFFF));
    }

    /// <summary>Summed-area table (width+1)×(height+1) of pixels that are invalid or inside one of <paramref name="excluded"/>.</summary>
    private static int[] Invalid(int width, int height, byte[] valid, IReadOnlyList<Window> excluded)
    {
        var table = new int[(width + 1) * (height + 1)];
        for (var y = 0; y < height; y++)
        {
            var row = 0;
            for (var x = 0; x < width; x++)
            {
                var blocked = valid[y * width + x] == 0 || Inside(excluded, x, y);
                row += blocked ? 1 : 0;
                table[(y + 1) * (width + 1) + x + 1] = table[y * (width + 1) + x + 1] + row;
            }
        }
        return table;
    }

    private static bool Inside(IReadOnlyList<Window> windows, int x, int y)
    {
        foreach (var e in windows)
            if (x >= e.Column && x < e.Right && y >= e.Row && y < e.Bottom) return true;
        return false;
    }

    private static int Count(int[] table, int width, int x, int y, int w, int h)
    {
        var stride = width + 1;
        return table[(y + h) * stride + x + w] - table[y * stride + x + w] - table[(y + h) * stride + x] + table[y * stride + x];
    }
}
