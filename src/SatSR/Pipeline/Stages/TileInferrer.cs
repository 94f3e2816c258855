using System.Diagnostics;
using SatSR.Inference;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// A tile with the network's raw output per band group (the engine's planes at the model's scale). Its leases are the
/// predictor's to give back.
/// </summary>
internal sealed record InferredTile(ScheduledTile Scheduled, Lease<byte> Valid, Lease<float>[] Inputs, Lease<float>[] Outputs) : IDisposable
{
    public bool Skipped => Valid.IsEmpty;

    public void Dispose()
    {
        Valid.Dispose();
        foreach (var input in Inputs) input.Dispose();
        foreach (var output in Outputs) output.Dispose();
    }
}

/// <summary>
/// Runs the one engine of the job: network inputs (a tile's band groups; with test-time augmentation each of its eight
/// flips and quarter turns) are gathered into batches of the engine's size, so a batch mixes tiles. Tiles leave in the
/// order they came, each once all its inputs are inferred; the last inputs run as a partial batch whose unused slots
/// keep the previous batch's values (each slot is computed on its own, so they change nothing). Skipped tiles pass through.
/// The tiles waiting for their batch are this stage's: a failure, or disposing it, gives back all they hold. With
/// augmentation each group's outputs are summed in a lease of <paramref name="sums"/>, given back once folded into the output.
/// </summary>
internal sealed class TileInferrer(string path, InferenceEngine engine, bool tta, int tiles, BufferPool<float> outputs, BufferPool<double> sums,
    CancellationToken ct) : IDisposable
{
    private sealed class Pending(PreparedTile tile, Lease<float>[] outputs, Lease<double>[]? sums)
    {
        public PreparedTile Tile { get; } = tile;
        public Lease<float>[] Outputs { get; } = outputs;
        public Lease<double>[]? Sums { get; } = sums;
        public int Remaining { get; set; }
    }

    private readonly Queue<Pending> _waiting = new();
    private readonly Queue<(Pending Owner, int Group, int Transform)> _inputs = new();
    private readonly Stopwatch _busy = new();
    private int _seen;

    /// <summary>Time spent in the runtime.</summary>
    public TimeSpan Busy => _busy.Elapsed;

    public IEnumerable<InferredTile> Add(PreparedTile tile)
    {
        _seen++;
        var groups = tile.Inputs.Length;
        var pending = new Pending(tile, new Lease<float>[groups], tta ? new Lease<double>[groups] : null);
        _waiting.Enqueue(pending);
        try
        {
            for (var g = 0; g < groups; g++)
            {
                pending.Outputs[g] = outputs.Rent();
                if (pending.Sums is not null)
                {
                    pending.Sums[g] = sums.Rent();
                    // A pooled array holds an earlier tile's sums.
                    Array.Clear(pending.Sums[g].Array);
                }
                for (var k = 0; k < (tta ? Dihedral.Count : 1); k++) _inputs.Enqueue((pending, g, k));
            }
            pending.Remaining = _inputs.Count(i => i.Owner == pending);
            while (_inputs.Count >= engine.Batch) RunBatch(engine.Batch);
            if (_seen == tiles && _inputs.Count > 0) RunBatch(_inputs.Count);
        }
        catch
        {
            Dispose();
            throw;
        }

        var done = new List<InferredTile>();
        while (_waiting.TryPeek(out var first) && first.Remaining == 0)
        {
            _waiting.Dequeue();
            for (var g = 0; g < groups && first.Sums is not null; g++)
            {
                var (sum, output) = (first.Sums[g].Array, first.Outputs[g].Array);
                for (var i = 0; i < sum.Length; i++) output[i] = (float)(sum[i] / Dihedral.Count);
                first.Sums[g].Dispose();
            }
            done.Add(new InferredTile(first.Tile.Scheduled, first.Tile.Valid, first.Tile.Inputs, first.Outputs));
        }
        return done;
    }

    /// <summary>Gives back what the tiles waiting for their batch hold: the job stops and they will not be inferred.</summary>
    public void Dispose()
    {
        while (_waiting.TryDequeue(out var pending))
        {
            pending.Tile.Dispose();
            foreach (var output in pending.Outputs) output.Dispose();
            foreach (var sum in pending.Sums ?? []) sum.Dispose();
        }
        _inputs.Clear();
    }

    private void RunBatch(int count)
    {
        int plane = engine.Height * engine.Width, side = engine.Width, outSide = side * engine.Scale, outPlane = outSide * outSide;
        if (engine.Batch == 1 && !tta)
        {
            // One tile, no turns: the runtime reads the tile's own input and writes its own output buffer.
            var (owner, g, _) = _inputs.Dequeue();
            Infer(owner.Tile, () => engine.Run(owner.Tile.Inputs[g].Array, owner.Outputs[g].Array, ct));
            owner.Remaining--;
            return;
        }
        var slots = new (Pending Owner, int Group, int Transform)[count];
        for (var s = 0; s < count; s++)
        {
            var (owner, g, k) = slots[s] = _inputs.Dequeue();
            var source = owner.Tile.Inputs[g].Array.AsSpan(0, engine.InputLength);
            var slot = engine.Input.Slice(s * engine.InputLength, engine.InputLength);
            if (!tta) source.CopyTo(slot);
            else for (var c = 0; c < engine.Channels; c++) Dihedral.Apply(source.Slice(c * plane, plane), slot.Slice(c * plane, plane), side, k);
        }
        Infer(slots[0].Owner.Tile, () => engine.Run(ct));
        for (var s = 0; s < count; s++)
        {
            var (owner, g, k) = slots[s];
            var result = engine.Output.Slice(s * engine.OutputLength, engine.OutputLength);
            if (owner.Sums is { } tileSums)
            {
                var sum = tileSums[g].Array;
                for (var c = 0; c < engine.OutputChannels; c++) Dihedral.AddInverse(result.Slice(c * outPlane, outPlane), sum.AsSpan(c * outPlane, outPlane), outSide, k);
            }
            else
            {
                result.CopyTo(owner.Outputs[g].Array);
            }
            owner.Remaining--;
        }
    }

    /// <summary>Runs the runtime, timed; a failure names the (first) tile of the batch.</summary>
    private void Infer(PreparedTile first, Action run)
    {
        _busy.Start();
        try
        {
            run();
        }
        catch (InferenceException e)
        {
            var tile = first.Scheduled.Tile;
            throw new InferenceException($"{path}: tile {tile.Index} {tile.Read}: {e.Message}", e);
        }
        finally
        {
            _busy.Stop();
        }
    }
}
