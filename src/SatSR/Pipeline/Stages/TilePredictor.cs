using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Radiometry;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// A tile's prediction per output band at the job's scale over its scaled read window, each where <see cref="Bands"/>
/// says in the network's output of its band group (<see cref="Outputs"/>, written over in place: a prediction is never
/// larger than the plane it comes from, so colour holds no more than panchromatic). Its leases are the blender's to give back.
/// </summary>
internal sealed record PredictedTile(ScheduledTile Scheduled, Lease<float>[] Outputs, BandPlane[] Bands, SquaredError Consistency) : IDisposable
{
    public bool Skipped => Bands.Length == 0;

    /// <summary>Output band <paramref name="band"/>'s prediction of <paramref name="length"/> values; empty when the band was not inferred.</summary>
    public ReadOnlySpan<float> Band(int band, int length) =>
        Bands[band] is { Group: >= 0 } b ? Outputs[b.Group].Array.AsSpan(b.Offset, length) : default;

    public void Dispose()
    {
        foreach (var output in Outputs) output.Dispose();
    }
}

/// <summary>Where an output band's prediction lies: in the output of band group <see cref="Group"/> (−1: not inferred), from <see cref="Offset"/>.</summary>
internal readonly record struct BandPlane(int Group, int Offset);

/// <summary>
/// Turns the network's planes into band predictions: a 1-band group's replicated RGB averaged back, the model's scale
/// area-resampled to the job's, non-finite values refused, blended with bicubic when the network's weight is below 1
/// (<see cref="ModelWeightMeasure"/>), and the distance from averaging back to the input measured
/// over the tile's core (removed with --consistency). One per worker (its scratch is its own). Hands the network's outputs
/// on, holding the predictions, and gives back the rest of what the inferred tile holds.
/// </summary>
internal sealed class TilePredictor(string path, BandSelection bands, int outputBands, int modelScale, int scale, int outputChannels,
    int tensorHeight, int tensorWidth, bool consistency, float weight, BufferOwner buffers) : IDisposable
{
    private readonly Scratch<float> _modelScale = buffers.Scratch<float>(), _resample = buffers.Scratch<float>(),
        _plane = buffers.Scratch<float>(), _residual = buffers.Scratch<float>(), _bicubic = buffers.Scratch<float>();

    public PredictedTile Predict(InferredTile tile)
    {
        if (tile.Skipped)
        {
            tile.Dispose();
            return new PredictedTile(tile.Scheduled, [], [], default);
        }
        var read = tile.Scheduled.Tile.Read;
        int w = read.Width, h = read.Height, length = w * scale * h * scale;
        var core = tile.Scheduled.Tile.Core.RelativeTo(read);
        var places = Enumerable.Repeat(new BandPlane(-1, 0), outputBands).ToArray();
        var error = default(SquaredError);
        try
        {
            for (var g = 0; g < bands.Groups.Length; g++)
            {
                var group = bands.Groups[g];
                for (var k = 0; k < group.Length; k++)
                {
                    // Band k in place of the planes it comes from: it starts no later than channel k and is no longer
                    // than a plane, so it never overwrites a value still to be read.
                    places[Array.IndexOf(bands.Output, group[k])] = new BandPlane(g, k * length);
                    var output = tile.Outputs[g].Array;
                    var prediction = output.AsSpan(k * length, length);
                    var plane = _plane.Take(w * h).AsSpan(0, w * h);
                    for (var y = 0; y < h; y++) tile.Inputs[g].Array.AsSpan((k * tensorHeight + y) * tensorWidth, w).CopyTo(plane.Slice(y * w, w));
                    error += Band(tile.Outputs[g].Array, group.Length == 1 ? -1 : k, plane, w, h, prediction, tile.Valid.Array, core,
                        $"tile {tile.Scheduled.Tile.Index} {tile.Scheduled.Tile.Read}");
                }
            }
        }
        catch
        {
            tile.Dispose();
            throw;
        }
        // The outputs go on with the predictions in them; the rest of the tile is given back.
        tile.Valid.Dispose();
        foreach (var input in tile.Inputs) input.Dispose();
        return new PredictedTile(tile.Scheduled, tile.Outputs, places, error);
    }

    public void Dispose()
    {
        _modelScale.Dispose();
        _resample.Dispose();
        _plane.Dispose();
        _residual.Dispose();
        _bicubic.Dispose();
    }

    /// <summary>
    /// One band's prediction over a w×h read window whose input plane is <paramref name="plane"/>: channel
    /// <paramref name="channel"/> of the network's <paramref name="output"/> (the mean of all channels when −1) at the
    /// job's scale, blended with the plane's bicubic enlargement by the network's weight, then corrected for consistency
    /// if the job is. Returns the consistency error before the correction over the valid pixels of <paramref name="measured"/>.
    /// </summary>
    public SquaredError Band(float[] output, int channel, ReadOnlySpan<float> plane, int w, int h, Span<float> prediction,
        ReadOnlySpan<byte> valid, Window measured, string where)
    {
        Take(where, channel, output, prediction, w, h);
        if (weight < 1)
        {
            var bicubic = _bicubic.Take(prediction.Length).AsSpan(0, prediction.Length);
            AreaResample.Bicubic(plane, w, h, scale, bicubic, _resample.Take(w * scale * h));
            // The weighted sum, a vector at a time (TensorPrimitives: w·p + (1 − w)·b).
            TensorPrimitives.Multiply(prediction, weight, prediction);
            TensorPrimitives.MultiplyAdd(bicubic, 1 - weight, prediction, prediction);
        }
        var residual = _residual.Take(w * h);
        var error = Consistency.Residual(prediction, plane, w, h, scale, valid, measured, residual);
        if (consistency) Consistency.Correct(prediction, residual, w, h, scale);
        return error;
    }

    /// <summary>
    /// Channel <paramref name="channel"/> of the network's output (the mean of all channels when −1) over the tile's read
    /// window, resampled from the model's scale to the job's.
    /// </summary>
    private void Take(string where, int channel, float[] output, Span<float> prediction, int w, int h)
    {
        var m = modelScale;
        int ow = w * m, oh = h * m, tw = tensorWidth * m, plane = tensorHeight * m * tw;
        var full = m == scale ? prediction : _modelScale.Take(ow * oh).AsSpan(0, ow * oh);
        for (var y = 0; y < oh; y++)
        {
            var dst = full.Slice(y * ow, ow);
            var finite = channel >= 0
                ? Copy(output.AsSpan(channel * plane + y * tw, ow), dst)
                : Mean(output, y * tw, plane, outputChannels, dst);
            if (!finite)
            {
                var v = dst.ToArray().First(v => !float.IsFinite(v));
                throw new InferenceException($"{path}: {where}: the model produced {v} (try {OptionName.Device} cpu)");
            }
        }
        if (m != scale) AreaResample.Downscale(full, ow, oh, prediction, w * scale, h * scale, _resample.Take(w * scale * oh));
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>; false when a value is not finite.</summary>
    private static bool Copy(ReadOnlySpan<float> source, Span<float> destination)
    {
        source.CopyTo(destination);
        return AllFinite(destination);
    }

    /// <summary>
    /// The mean of <paramref name="channels"/> planes <paramref name="plane"/> apart, from <paramref name="offset"/>, into
    /// <paramref name="destination"/>: summed in channel order and divided, lane by lane as one value would be (Vector
    /// arithmetic is IEEE per lane, so the result is the scalar one bit for bit); false when a value is not finite.
    /// </summary>
    // Optimised from the first call: a per-row kernel otherwise runs unoptimised through a job's first seconds, while the
    // JIT is busy with everything else and its tier-up waits for quiet (6 % of a pixel-repeat scene's CPU, with Encode).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Mean(float[] output, int offset, int plane, int channels, Span<float> destination)
    {
        var n = destination.Length;
        var width = Vector<float>.Count;
        var divisor = new Vector<float>(channels);
        var infinity = new Vector<float>(float.PositiveInfinity);
        var finite = true;
        var x = 0;
        for (; x <= n - width; x += width)
        {
            var sum = new Vector<float>(output.AsSpan(offset + x, width));
            for (var c = 1; c < channels; c++) sum += new Vector<float>(output.AsSpan(c * plane + offset + x, width));
            var mean = sum / divisor;
            mean.CopyTo(destination[x..]);
            // As AllFinite, while the values are at hand rather than in a second pass over the row.
            finite &= Vector.LessThanAll(Vector.Abs(mean), infinity);
        }
        for (; x < n; x++)
        {
            var v = output[offset + x];
            for (var c = 1; c < channels; c++) v += output[c * plane + offset + x];
            destination[x] = v / channels;
            finite &= float.IsFinite(destination[x]);
        }
        return finite;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        var width = Vector<float>.Count;
        var infinity = new Vector<float>(float.PositiveInfinity);
        var x = 0;
        // |v| < ∞ is false for ±∞ and for NaN.
        for (; x <= values.Length - width; x += width)
        {
            if (!Vector.LessThanAll(Vector.Abs(new Vector<float>(values[x..])), infinity)) return false;
        }
        for (; x < values.Length; x++)
        {
            if (!float.IsFinite(values[x])) return false;
        }
        return true;
    }
}
