using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Radiometry;

namespace SatSR.Pipeline.Stages;

/// <summary>A tile ready for the network: per band group, its input tensor (normalised, nodata filled, edge-padded).</summary>
internal sealed record PreparedTile(ScheduledTile Scheduled, byte[]? Valid, float[][] Inputs)
{
    public bool Skipped => Valid is null;
}

/// <summary>
/// Turns read samples into network input: one range per band for the whole image (never per tile), nodata filled from
/// nearby valid pixels so the network never sees the black border, and padded by repeating the last row and column to
/// the engine's tensor shape. One per preparing worker (its scratch planes are its own).
/// </summary>
internal sealed class TilePreparer(BandSelection bands, BandScale[] scales, int channels, int tensorHeight, int tensorWidth,
    BufferPool<float> inputs, BufferPool<double> values)
{
    private float[] _planes = [];

    public PreparedTile Prepare(ReadTile tile)
    {
        if (tile.Skipped) return new PreparedTile(tile.Scheduled, null, []);
        var read = tile.Scheduled.Tile.Read;
        int w = read.Width, h = read.Height, n = w * h;
        var planes = Arrays.Reuse(ref _planes, channels * n);
        var valid = tile.Valid!;
        var result = new float[bands.Groups.Length][];
        for (var g = 0; g < result.Length; g++)
        {
            var group = bands.Groups[g];
            for (var k = 0; k < channels; k++)
            {
                var band = group[Math.Min(k, group.Length - 1)] - 1;
                var range = scales[band].Unit;
                var source = tile.Values.AsSpan(band * n, n);
                var plane = planes.AsSpan(k * n, n);
                for (var i = 0; i < n; i++) plane[i] = valid[i] != 0 ? range.ToUnit(source[i]) : 0f;
            }
            NodataFill.Fill(planes, channels, valid, w, h);

            var input = result[g] = inputs.Rent();
            for (var k = 0; k < channels; k++)
            {
                for (var y = 0; y < tensorHeight; y++)
                {
                    var src = planes.AsSpan(k * n + Math.Min(y, h - 1) * w, w);
                    var dst = input.AsSpan((k * tensorHeight + y) * tensorWidth, tensorWidth);
                    src.CopyTo(dst);
                    dst[w..].Fill(src[w - 1]);
                }
            }
        }
        values.Return(tile.Values);
        return new PreparedTile(tile.Scheduled, valid, result);
    }
}
