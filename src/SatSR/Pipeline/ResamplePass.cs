using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>
/// The second pass of an <c>--outscale</c> job: resamples the network's integer-scale output (<paramref name="intermediate"/>,
/// <paramref name="scale"/>× the input) to the output's exact size, piece of whole output blocks by piece, reading only
/// the intermediate pixels each piece's kernels need, so memory is bounded by one block row, not by the image.
/// Nodata follows the input exactly as in the integer pipeline: an output pixel is nodata when the input pixel under
/// its centre is (nearest neighbour), nodata pixels weigh nothing in the kernels, and a valid pixel never equals nodata.
/// Its scratch is leased from <paramref name="buffers"/> and given back when it is disposed.
/// </summary>
internal sealed class ResamplePass(
    RasterDataset source, Validity validity, RasterDataset intermediate, int scale, BandSelection bands, SampleEncoder[] encoders, BufferOwner buffers,
    IProgress<UpscaleProgress>? progress, Func<TimeSpan> elapsed, CancellationToken ct) : IDisposable
{
    private readonly int[] _allBands = Enumerable.Range(1, source.Profile.BandCount).ToArray();
    private readonly int[] _outputBands = Enumerable.Range(1, bands.Output.Length).ToArray();

    // Reused from piece to piece: each holds at most one piece's worth.
    private readonly Scratch<double> _inputValues = buffers.Scratch<double>(), _values = buffers.Scratch<double>(), _resampled = buffers.Scratch<double>(),
        _pixels = buffers.Scratch<double>();
    private readonly Scratch<byte> _inputValid = buffers.Scratch<byte>(), _valid = buffers.Scratch<byte>(), _mask = buffers.Scratch<byte>();

    /// <summary>
    /// Resamples output rows <paramref name="rows"/> of the <paramref name="width"/>×<paramref name="height"/> output
    /// into <paramref name="target"/>, which holds those rows from its first (all of them, or a shard's part), and into
    /// its <paramref name="overviews"/>.
    /// </summary>
    public void WriteAll(RasterDataset target, OverviewWriter? overviews, int width, int height, int blockHeight, int blockWidth, RowRange rows)
    {
        int w = source.Profile.Width, h = source.Profile.Height;
        var resampler = new MaskedResampler(
            ResampleAxis.Create(intermediate.Profile.Width, width), ResampleAxis.Create(intermediate.Profile.Height, height));
        // The input pixel under each output column's and row's centre: where nodata and carried bands come from.
        var nearestColumn = Enumerable.Range(0, width).Select(x => ResampleAxis.Nearest(x, w, width)).ToArray();
        var nearestRow = Enumerable.Range(0, height).Select(y => ResampleAxis.Nearest(y, h, height)).ToArray();

        var pieces = OutputBlocks.Pieces(new Window(0, rows.From, width, rows.Height), blockHeight, blockWidth).ToList();
        for (var p = 0; p < pieces.Count; p++)
        {
            ct.ThrowIfCancellationRequested();
            WritePiece(target, overviews, resampler, pieces[p], nearestColumn, nearestRow, rows.From);
            KillPoint.Pass(KillPoint.Resample);
            progress?.Report(new UpscaleProgress(p + 1, pieces.Count, (double)pieces[p].Bottom / height * w * h / 1e6, w * (double)h / 1e6, elapsed())
            {
                Stage = UpscaleStage.Resample,
            });
        }
        overviews?.Finish();
    }

    private void WritePiece(RasterDataset target, OverviewWriter? overviews, MaskedResampler resampler, Window piece, int[] nearestColumn, int[] nearestRow, int rowOffset)
    {
        // The intermediate pixels the kernels take, and the input pixels under them (which hold every nearest one too:
        // the intermediate pixel under an output centre is one of its taps).
        var read = resampler.SourceFor(piece);
        var input = Window.FromEdges(read.Column / scale, read.Row / scale, (read.Right + scale - 1) / scale, (read.Bottom + scale - 1) / scale);
        int n = input.Width * input.Height, m = read.Width * read.Height, k = piece.Width * piece.Height;

        var inputValues = _inputValues.Take(_allBands.Length * n);
        var inputValid = _inputValid.Take(n);
        source.Read<double>(input, _allBands, inputValues);
        validity.Evaluate(input, inputValues, inputValid);

        // An intermediate pixel is valid exactly when its input pixel is: the integer pipeline wrote nodata there.
        var valid = _valid.Take(m);
        for (var y = 0; y < read.Height; y++)
        {
            var inRow = ((read.Row + y) / scale - input.Row) * input.Width - input.Column;
            for (var x = 0; x < read.Width; x++) valid[y * read.Width + x] = inputValid[inRow + (read.Column + x) / scale];
        }
        var values = _values.Take(_outputBands.Length * m);
        intermediate.Read<double>(read, _outputBands, values);

        var resampled = _resampled.Take(k);
        var pixels = _pixels.Take(_outputBands.Length * k);
        var mask = OutputBlocks.HasMask(target) ? _mask.Take(k) : null;
        var nodata = validity.OutputNodata ?? 0;
        for (var o = 0; o < _outputBands.Length; o++)
        {
            var b = bands.Output[o] - 1;
            var carried = bands.Carried.Contains(b + 1);
            if (!carried) resampler.Apply(values.AsSpan(o * m, m), valid, read, piece, resampled);
            for (var y = 0; y < piece.Height; y++)
            {
                var inRow = (nearestRow[piece.Row + y] - input.Row) * input.Width - input.Column;
                for (var x = 0; x < piece.Width; x++)
                {
                    var i = inRow + nearestColumn[piece.Column + x];
                    pixels[o * k + y * piece.Width + x] = carried ? inputValues[b * n + i]
                        : inputValid[i] != 0 ? encoders[b].Encode(resampled[y * piece.Width + x])
                        : nodata;
                    if (mask is not null && o == 0) mask[y * piece.Width + x] = inputValid[i];
                }
            }
        }
        var at = piece with { Row = piece.Row - rowOffset };
        target.Write<double>(at, _outputBands, pixels);
        if (mask is not null) target.WriteMask(at, mask);
        overviews?.Add(at, pixels, mask);
    }

    public void Dispose()
    {
        _inputValues.Dispose();
        _values.Dispose();
        _resampled.Dispose();
        _pixels.Dispose();
        _inputValid.Dispose();
        _valid.Dispose();
        _mask.Dispose();
    }
}
