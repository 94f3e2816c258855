using System.Runtime.CompilerServices;

namespace SatSR.Pixels;

/// <summary>
/// Fills invalid pixels from nearby valid ones so the network never sees the black nodata border (which it would
/// smear into the valid footprint as a dark fringe). Push-pull: average valid pixels down a pyramid, then blend
/// the coarser, hole-free levels back up where a pixel had no valid value. Valid pixels are never changed.
/// </summary>
public static class NodataFill
{
    /// <summary>
    /// Fills every plane of <paramref name="planes"/> (<paramref name="planeCount"/> planes of width×height, plane-major)
    /// where <paramref name="valid"/> is 0. Returns false, leaving the planes untouched, when no pixel is valid.
    /// <paramref name="scratch"/>: at least <see cref="ScratchLength"/> values, the caller's (contents undefined), so one
    /// tile after another does not leave megabytes of large-object garbage that the GC lets pile up.
    /// </summary>
    public static bool Fill(Span<float> planes, int planeCount, ReadOnlySpan<byte> valid, int width, int height, Span<float> scratch)
    {
        var n = width * height;
        if (planes.Length < planeCount * n || valid.Length < n || scratch.Length < ScratchLength(width, height)) throw new ArgumentException("buffer too small");
        var any = valid[..n].IndexOfAnyExcept((byte)0) >= 0;
        var all = valid[..n].IndexOf((byte)0) < 0;
        if (!any) return false;
        if (all) return true;

        var value = scratch[..n];
        var weight = scratch.Slice(n, n);
        var pyramid = scratch[(2 * n)..ScratchLength(width, height)];
        for (var p = 0; p < planeCount; p++)
        {
            var plane = planes.Slice(p * n, n);
            for (var i = 0; i < n; i++)
            {
                weight[i] = valid[i] != 0 ? 1f : 0f;
                value[i] = valid[i] != 0 ? plane[i] : 0f;
            }
            PushPull(value, weight, width, height, pyramid);
            for (var i = 0; i < n; i++)
            {
                if (valid[i] == 0) plane[i] = value[i];
            }
        }
        return true;
    }

    /// <summary>The scratch <see cref="Fill"/> needs for planes of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static int ScratchLength(int width, int height) => 2 * width * height + PyramidLength(width, height);

    /// <summary>Values and weights of every coarser level, down to 1×1.</summary>
    private static int PyramidLength(int width, int height)
    {
        var total = 0;
        while (width > 1 || height > 1)
        {
            width = (width + 1) / 2;
            height = (height + 1) / 2;
            total += 2 * width * height;
        }
        return total;
    }

    /// <summary>
    /// On return every pixel of <paramref name="value"/> with weight below 1 is blended with the level above;
    /// <paramref name="pyramid"/> holds the coarser levels.
    /// </summary>
    private static void PushPull(Span<float> value, Span<float> weight, int width, int height, Span<float> pyramid)
    {
        if (width == 1 && height == 1) return;
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        var coarseValue = pyramid[..(cw * ch)];
        var coarseWeight = pyramid.Slice(cw * ch, cw * ch);
        coarseValue.Clear();
        coarseWeight.Clear();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var w = weight[y * width + x];
                var c = (y / 2) * cw + x / 2;
                coarseValue[c] += w * value[y * width + x];
                coarseWeight[c] += w;
            }
        }
        for (var c = 0; c < coarseValue.Length; c++)
        {
            if (coarseWeight[c] > 0) coarseValue[c] /= coarseWeight[c];
            coarseWeight[c] = Math.Min(1f, coarseWeight[c]);
        }

        PushPull(coarseValue, coarseWeight, cw, ch, pyramid[(2 * cw * ch)..]);

        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                if (weight[i] >= 1f) continue;
                var up = Bilinear(coarseValue, cw, ch, (x + 0.5f) / 2 - 0.5f, (y + 0.5f) / 2 - 0.5f);
                value[i] = weight[i] * value[i] + (1 - weight[i]) * up;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // per filled pixel; as TilePredictor.Mean
    private static float Bilinear(ReadOnlySpan<float> v, int w, int h, float fx, float fy)
    {
        fx = Math.Clamp(fx, 0, w - 1);
        fy = Math.Clamp(fy, 0, h - 1);
        int x0 = (int)fx, y0 = (int)fy;
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        float tx = fx - x0, ty = fy - y0;
        var top = v[y0 * w + x0] * (1 - tx) + v[y0 * w + x1] * tx;
        var bottom = v[y1 * w + x0] * (1 - tx) + v[y1 * w + x1] * tx;
        return top * (1 - ty) + bottom * ty;
    }
}
