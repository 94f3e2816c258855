using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pipeline.Stages;
using SatSR.Radiometry;

namespace SatSR.Pipeline;

/// <summary>
/// The network's weight against bicubic, measured on the scene itself one scale down (Wald's protocol on the input):
/// the tiles of a <see cref="SceneSample"/> are area-averaged by the scale and enlarged back as the job would enlarge
/// them (<see cref="TilePredictor.Band"/>: the same network, scale and correction) at weight 1 and at weight 0, and the
/// weight is the point between the two that comes closest to the input's own pixels (least squares, clamped to 0..1).
/// A network that paints texture this sensor does not have loses to bicubic there, and is damped; one that wins keeps
/// most of its weight. The job's output is linear in the weight, so one pass at each end gives the whole line.
/// </summary>
internal static class ModelWeightMeasure
{
    /// <summary>
    /// Coarse pixels left out at each edge of a sample tile: the network's padding shows there, and the tiles of a run
    /// overlap it away. Small, so that a small scene is still measured (8 left every ×4 validation window of a small
    /// scene unmeasured, at weight 1; docs/MODELS.md).
    /// </summary>
    public const int Margin = 2;

    /// <summary>
    /// The weight for <paramref name="job"/>; 1 when the sample holds nothing to measure (tiles too small, or no valid
    /// coarse pixel), so a tiny input runs the network as it is.
    /// </summary>
    public static float Measure(UpscaleJob job, int channels, Validity validity, CancellationToken ct)
    {
        var o = job.Options;
        var s = job.Scale;
        int height = o.Model.SizeRequirements.RoundUp(Math.Max(1, job.TensorHeight / s)), width = o.Model.SizeRequirements.RoundUp(Math.Max(1, job.TensorWidth / s));
        using var engine = InferenceEngine.Create(o.Model, job.Device, height, width, o.Threads);
        var buffers = new BufferOwner();
        using var network = new TilePredictor(o.InputPath, job.Bands, job.Bands.Output.Length, engine.Scale, s, engine.OutputChannels, height, width,
            o.Consistency, 1, buffers);
        using var bicubic = new TilePredictor(o.InputPath, job.Bands, job.Bands.Output.Length, engine.Scale, s, engine.OutputChannels, height, width,
            o.Consistency, 0, buffers);
        var input = new float[engine.InputLength];
        var output = new float[engine.OutputLength];
        var group = job.Bands.Groups[0];
        double cross = 0, power = 0;
        foreach (var tile in SceneSample.Prepared(job, validity, channels))
        {
            ct.ThrowIfCancellationRequested();
            int w = tile.Width / s, h = tile.Height / s;
            if (w <= 2 * Margin || h <= 2 * Margin) continue;
            var valid = Coarse(tile, job.TensorHeight, job.TensorWidth, s, w, h, input, channels, height, width);
            engine.Run(input, output, ct);
            var inner = new Window(Margin, Margin, w - 2 * Margin, h - 2 * Margin);
            var plane = new float[w * h];
            var (m, b) = (new float[w * s * h * s], new float[w * s * h * s]);
            for (var k = 0; k < group.Length; k++)
            {
                for (var y = 0; y < h; y++) input.AsSpan((k * height + y) * width, w).CopyTo(plane.AsSpan(y * w, w));
                var channel = group.Length == 1 ? -1 : k;
                network.Band(output, channel, plane, w, h, m, valid, inner, "weight sample");
                bicubic.Band(output, channel, plane, w, h, b, valid, inner, "weight sample");
                // Against the tile's own pixels, on the valid coarse pixels inside the margin: e = t − b, d = m − b.
                for (var y = inner.Row * s; y < inner.Bottom * s; y++)
                {
                    var truth = tile.Input.AsSpan((k * job.TensorHeight + y) * job.TensorWidth, w * s);
                    for (var x = inner.Column * s; x < inner.Right * s; x++)
                    {
                        if (valid[y / s * w + x / s] == 0) continue;
                        double d = m[y * w * s + x] - b[y * w * s + x], e = truth[x] - b[y * w * s + x];
                        cross += d * e;
                        power += d * d;
                    }
                }
            }
        }
        return power > 0 ? (float)Math.Clamp(cross / power, 0, 1) : 1;
    }

    /// <summary>
    /// Fills <paramref name="input"/> (channels × height × width) with the tile's (tensorHeight × tensorWidth) s×s block means (its w×h coarse pixels, the last row and column
    /// repeated to the engine's shape) and returns which coarse pixels are whole valid blocks.
    /// </summary>
    private static byte[] Coarse(SampleTile tile, int tensorHeight, int tensorWidth, int s, int w, int h, float[] input, int channels, int height, int width)
    {
        var valid = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var all = true;
                for (var dy = 0; dy < s && all; dy++) all = !tile.Valid.AsSpan((y * s + dy) * tile.Width + x * s, s).Contains((byte)0);
                valid[y * w + x] = all ? (byte)1 : (byte)0;
            }
        }
        for (var k = 0; k < channels; k++)
        {
            for (var y = 0; y < height; y++)
            {
                var cy = Math.Min(y, h - 1);
                for (var x = 0; x < width; x++)
                {
                    var cx = Math.Min(x, w - 1);
                    double sum = 0;
                    for (var dy = 0; dy < s; dy++)
                    {
                        var row = tile.Input.AsSpan((k * tensorHeight + cy * s + dy) * tensorWidth + cx * s, s);
                        foreach (var v in row) sum += v;
                    }
                    input[(k * height + y) * width + x] = (float)(sum / (s * s));
                }
            }
        }
        return valid;
    }
}
