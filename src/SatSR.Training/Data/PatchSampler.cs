using SatSR.Geometry;

namespace SatSR.Training.Data;

/// <summary>One training example: where it comes from, and how it is flipped.</summary>
internal readonly record struct Patch(int Image, int[] Group, Window Window, bool FlipX, bool FlipY);

/// <summary>
/// Draws HR patches only where every pixel is valid and the patch stays clear of the held-out validation window.
/// Every possible patch position (on a grid of the scale, so an LR pixel covers exactly scale×scale HR pixels) is
/// listed up front from a summed-area table of invalid pixels, so sampling is uniform over what is allowed and
/// "nothing valid to sample" is known before training starts. The patches of step <c>t</c> depend only on
/// (seed, t), so a resumed run draws the same patches as an uninterrupted one.
/// </summary>
internal sealed class PatchSampler
{
    private readonly List<(int Image, int X, int Y)> _positions = [];
    private readonly IReadOnlyList<TrainingImage> _images;
    private readonly int _size;

    /// <param name="excluded">per image, the window no patch may touch (the validation window), or null</param>
    /// <param name="lowRes">paired mode: the co-registered LR image of image 0, whose pixels must be valid too</param>
    public PatchSampler(IReadOnlyList<TrainingImage> images, int size, int scale, IReadOnlyList<Window?> excluded, TrainingImage? lowRes = null)
    {
        _images = images;
        _size = size;
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var blocked = Invalid(image.Width, image.Height, image.Valid, excluded[i]);
            var blockedLow = lowRes is null ? null : Invalid(lowRes.Width, lowRes.Height, lowRes.Valid, null);
            for (var y = 0; y + size <= image.Height; y += scale)
            {
                for (var x = 0; x + size <= image.Width; x += scale)
                {
                    if (Count(blocked, image.Width, x, y, size, size) != 0) continue;
                    if (blockedLow is not null &&
                        (x / scale + size / scale > lowRes!.Width || y / scale + size / scale > lowRes.Height ||
                         Count(blockedLow, lowRes.Width, x / scale, y / scale, size / scale, size / scale) != 0)) continue;
                    _positions.Add((i, x, y));
                }
            }
        }
    }

    public int PositionCount => _positions.Count;

    /// <summary>The <paramref name="batch"/> patches of step <paramref name="step"/>.</summary>
    public Patch[] Draw(long seed, long step, int batch)
    {
        var rng = StepRandom(seed, step, 0);
        return Enumerable.Range(0, batch).Select(_ =>
        {
            var (image, x, y) = _positions[rng.Next(_positions.Count)];
            var groups = _images[image].Groups;
            return new Patch(image, groups[rng.Next(groups.Length)], new Window(x, y, _size, _size), rng.Next(2) == 1, rng.Next(2) == 1);
        }).ToArray();
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

    /// <summary>Summed-area table (width+1)×(height+1) of pixels that are invalid or inside <paramref name="excluded"/>.</summary>
    private static int[] Invalid(int width, int height, byte[] valid, Window? excluded)
    {
        var table = new int[(width + 1) * (height + 1)];
        for (var y = 0; y < height; y++)
        {
            var row = 0;
            for (var x = 0; x < width; x++)
            {
                var blocked = valid[y * width + x] == 0 || excluded is { } e && x >= e.Column && x < e.Right && y >= e.Row && y < e.Bottom;
                row += blocked ? 1 : 0;
                table[(y + 1) * (width + 1) + x + 1] = table[y * (width + 1) + x + 1] + row;
            }
        }
        return table;
    }

    private static int Count(int[] table, int width, int x, int y, int w, int h)
    {
        var stride = width + 1;
        return table[(y + h) * stride + x + w] - table[y * stride + x + w] - table[(y + h) * stride + x] + table[y * stride + x];
    }
}
