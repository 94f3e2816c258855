using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Radiometry;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// A tile ready for the network: per band group, its input tensor (normalised, nodata filled, edge-padded), and its
/// validity. Its leases are the inferrer's to hand on.
/// </summary>
internal sealed record PreparedTile(ScheduledTile Scheduled, Lease<byte> Valid, Lease<float>[] Inputs) : IDisposable
{
    public bool Skipped => Valid.IsEmpty;

    public void Dispose()
    {
        Valid.Dispose();
        foreach (var input in Inputs) input.Dispose();
    }
}

/// <summary>
/// Turns read samples into network input: one range per band for the whole image (never per tile), nodata filled from
/// nearby valid pixels so the network never sees the black border, and padded by repeating the last row and column to
/// the engine's tensor shape. One per preparing worker (its scratch planes are its own). Gives back the read samples
/// and hands the validity on.
/// </summary>
internal sealed class TilePreparer(BandSelection bands, BandScale[] scales, int channels, int tensorHeight, int tensorWidth,
    BufferPool<float> inputs, BufferOwner buffers) : IDisposable
{
    private readonly Scratch<float> _planes = buffers.Scratch<float>(), _fill = buffers.Scratch<float>();

    public PreparedTile Prepare(ReadTile tile)
    {
        if (tile.Skipped) return new PreparedTile(tile.Scheduled, default, []);
        var read = tile.Scheduled.Tile.Read;
        int w = read.Width, h = read.Height, n = w * h;
        var result = new Lease<float>[bands.Groups.Length];
        try
        {
            var planes = _planes.Take(channels * n);
            var fill = _fill.Take(NodataFill.ScratchLength(w, h));
            var (values, valid) = (tile.Values.Array, tile.Valid.Array);
            for (var g = 0; g < result.Length; g++)
            {
                var group = bands.Groups[g];
                for (var k = 0; k < channels; k++)
                {
                    var band = group[Math.Min(k, group.Length - 1)] - 1;
                    var range = scales[band].Unit;
                    var source = values.AsSpan(band * n, n);
                    var plane = planes.AsSpan(k * n, n);
                    for (var i = 0; i < n; i++) plane[i] = valid[i] != 0 ? range.ToUnit(source[i]) : 0f;
                }
                NodataFill.Fill(planes, channels, valid, w, h, fill);

                result[g] = inputs.Rent();
                var input = result[g].Array;
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
        }
        catch
        {
            tile.Valid.Dispose();
            foreach (var input in result) input.Dispose();
            throw;
        }
        finally
        {
            tile.Values.Dispose();
        }
        return new PreparedTile(tile.Scheduled, tile.Valid, result);
    }

    public void Dispose()
    {
        _planes.Dispose();
        _fill.Dispose();
    }
}
