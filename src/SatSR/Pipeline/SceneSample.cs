using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pipeline.Stages;
using SatSR.Radiometry;

namespace SatSR.Pipeline;

/// <summary>One prepared tile of a <see cref="SceneSample"/>: its first band group's tensor and its validity over the read window.</summary>
/// <param name="Input">channels × tensor height × tensor width, normalised, nodata filled, edge-padded (as the stages prepare it)</param>
/// <param name="Valid">read width × read height, 0 where the input is nodata</param>
internal sealed record SampleTile(float[] Input, byte[] Valid, int Width, int Height);

/// <summary>
/// A fixed, seeded sample of a job's own prepared input tiles, for what is measured on the scene before the run (int8's
/// activation ranges, the network's weight): the same input always gives the same sample, whatever shard asks.
/// </summary>
internal static class SceneSample
{
    /// <summary>Tiles with valid pixels in the sample, and the seed of their order.</summary>
    public const int Tiles = 8, Seed = 20261201;

    /// <summary>
    /// Up to <see cref="Tiles"/> tiles with valid pixels, in an order shuffled with <see cref="Seed"/>. Each item's
    /// arrays are the sample's until the next item is asked for.
    /// </summary>
    public static IEnumerable<SampleTile> Prepared(UpscaleJob job, Validity validity, int channels)
    {
        var plan = job.Plan;
        var buffers = new BufferOwner();
        using var reader = new TileReader(job.Options.InputPath, validity, buffers.Pool<double>((long)job.Input.BandCount * plan.ReadWidth * plan.ReadHeight),
            buffers.Pool<byte>((long)plan.ReadWidth * plan.ReadHeight));
        using var preparer = new TilePreparer(job.Bands, job.Scales, channels, job.TensorHeight, job.TensorWidth,
            buffers.Pool<float>((long)channels * job.TensorHeight * job.TensorWidth), buffers);
        var order = Enumerable.Range(0, plan.Tiles.Count).ToArray();
        new Random(Seed).Shuffle(order);
        var count = Tiles;
        foreach (var index in order)
        {
            if (count == 0) yield break;
            var read = reader.Read(new ScheduledTile(0, plan.Tiles[index], EndsRow: false));
            if (read.Skipped) continue;
            count--;
            using var prepared = preparer.Prepare(read);
            var window = plan.Tiles[index].Read;
            yield return new SampleTile(prepared.Inputs[0].Array, prepared.Valid.Array, window.Width, window.Height);
        }
    }
}
