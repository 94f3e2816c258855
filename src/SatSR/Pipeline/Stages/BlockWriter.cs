using System.Diagnostics;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Output;
using SatSR.Pixels;
using SatSR.Raster;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// The one writer: hands pieces to GDAL in order (GDAL compresses blocks on its own threads, NUM_THREADS) and to the
/// overviews, and at each <see cref="Checkpoint"/> flushes the file and only then lets the journal record the point, so a
/// recorded row (and the overview blocks it completed) is on disk. <paramref name="rowOffset"/>: the first output row the
/// target holds (a part of the output holds a range of rows). It gives back each piece once written, or once failed.
/// </summary>
internal sealed class BlockWriter(RasterDataset target, ResumeJournal journal, int outputBands, int rowOffset, OverviewWriter? overviews)
{
    private readonly int[] _bands = Enumerable.Range(1, outputBands).ToArray();
    private readonly Stopwatch _busy = new();

    public TimeSpan Busy => _busy.Elapsed;

    /// <summary>The encoded pieces' distance from averaging back to the input, summed in output order.</summary>
    public SquaredError Consistency { get; private set; }

    public void Write(WriteItem item)
    {
        using var _ = item;
        _busy.Start();
        try
        {
            switch (item)
            {
                case EncodedPiece piece:
                    var window = piece.Window with { Row = piece.Window.Row - rowOffset };
                    var mask = piece.Mask.IsEmpty ? null : piece.Mask.Array;
                    target.WriteSamples(window, _bands, piece.Samples.Array, target.Profile.DataType);
                    if (mask is not null) target.WriteMask(window, mask);
                    overviews?.Add(window, piece.Samples.Array, mask);
                    Consistency += piece.Consistency;
                    break;
                case Checkpoint checkpoint:
                    overviews?.Flush();
                    target.FlushCache();
                    journal.Record(checkpoint.Point);
                    break;
            }
        }
        finally
        {
            _busy.Stop();
        }
    }
}
