using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Tiling;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// What the writing end of the pipeline gets, in order: pieces of output and the points to record as done. The stage
/// that takes an item disposes what it does not hand on.
/// </summary>
internal abstract record WriteItem : IDisposable
{
    public virtual void Dispose()
    {
    }
}

/// <summary>Finished, blended output rows of one piece of whole output blocks: band-major floats in the network's 0..1.</summary>
internal sealed record StripPiece(Window Window, Lease<float> Values) : WriteItem
{
    public override void Dispose() => Values.Dispose();
}

/// <summary>Every piece before this one is written: once they are on disk the journal may record <see cref="Point"/>.</summary>
internal sealed record Checkpoint(ResumePoint Point) : WriteItem;

/// <summary>
/// Adds tiles' weighted predictions into the column chunk's <see cref="OutputStrip"/> in schedule order (so the float sums
/// come out the same whatever the stages' timing), and once a tile row is in, hands on the rows no later tile row
/// touches, in pieces of whole output blocks (each block is then written once: GDAL appends, not replaces, a rewritten
/// compressed block), followed by a <see cref="Checkpoint"/>. The one strip is this stage's own; it gives back the
/// tiles' predictions once added.
/// </summary>
internal sealed class StripBlender(TileSchedule schedule, BlendWeights weights, int outputBands, int blockHeight, int blockWidth,
    BufferPool<float> pieces, IProgress<int> blended)
{
    private OutputStrip? _strip;
    private float[]? _storage;
    private int _chunk = -1;

    /// <summary>How far the predictions were from averaging back to the input, over all tiles' cores, before any correction.</summary>
    public SquaredError Consistency { get; private set; }

    public int Inferred { get; private set; }
    public int Skipped { get; private set; }

    private readonly System.Diagnostics.Stopwatch _busy = new();

    public TimeSpan Busy => _busy.Elapsed;

    /// <summary>
    /// Adds <paramref name="tile"/>; when it ends a tile row, the finished rows follow one piece at a time, each copied out
    /// of the strip only when the one before was taken, so a flush holds no more pieces than the stage after it takes
    /// (not a whole strip's worth).
    /// </summary>
    public IEnumerable<WriteItem> Add(PredictedTile tile)
    {
        _busy.Start();
        var strip = Blend(tile);
        var bottom = tile.Scheduled.EndsRow ? schedule.FinalAfter(tile.Scheduled.Tile.GridRow, blockHeight) : 0;
        _busy.Stop();
        if (bottom <= strip.Top) yield break;

        foreach (var window in OutputBlocks.Pieces(Window.FromEdges(strip.Left, strip.Top, strip.Left + strip.Width, bottom), blockHeight, blockWidth))
        {
            _busy.Start();
            var values = pieces.Rent();
            var plane = window.Width * window.Height;
            for (var o = 0; o < outputBands; o++)
            {
                for (var y = 0; y < window.Height; y++)
                {
                    strip.Row(o, window.Row + y).Slice(window.Column - strip.Left, window.Width).CopyTo(values.Array.AsSpan(o * plane + y * window.Width, window.Width));
                }
            }
            _busy.Stop();
            yield return new StripPiece(window, values);
        }
        _busy.Start();
        strip.Drop(bottom);
        _busy.Stop();
        yield return new Checkpoint(new ResumePoint(tile.Scheduled.Chunk, bottom));
    }

    private OutputStrip Blend(PredictedTile tile)
    {
        using var _ = tile;
        var (k, t) = (tile.Scheduled.Chunk, tile.Scheduled.Tile);
        if (k != _chunk)
        {
            var chunk = schedule.Chunks[k];
            _strip = new OutputStrip(outputBands, chunk.Left, chunk.Width, schedule.Capacity, chunk.FirstRow, _storage);
            _storage = _strip.Storage;
            _chunk = k;
        }
        var strip = _strip!;
        if (!tile.Skipped)
        {
            var area = t.Read.Scale(schedule.Scale);
            var rows = weights.Rows(t.GridRow);
            var columns = weights.Columns(t.GridColumn);
            for (var o = 0; o < outputBands; o++)
            {
                if (tile.Bands[o].Group < 0) continue;
                strip.Add(o, area, tile.Band(o, area.Width * area.Height), rows, columns);
            }
            Consistency += tile.Consistency;
            Inferred++;
        }
        else
        {
            Skipped++;
        }
        blended.Report(1);
        return strip;
    }
}
