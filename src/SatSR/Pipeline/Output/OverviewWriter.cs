using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>
/// Builds a GeoTIFF's overviews from its full-resolution pieces as they are written, without reading the file back:
/// an <see cref="OverviewReducer"/> per level turns finished rows into overview rows, which are written block by block,
/// each block once. Bands whose validity is a nodata value (or who have none) cascade, each level from the one before,
/// as GDAL does; bands masked by a mask or alpha band, and alpha and the mask themselves (nearest), come from the full
/// resolution, as GDAL makes them (it cannot cascade a mask another band may hold). Pixels equal gdaladdo's on the same
/// full resolution (<c>tests/SatSR.Tests/Pipeline/OverviewGdalTests.cs</c>); for lossy compression, on the pixels before
/// compression.
/// <para>Pieces come in the writer's order: whole block rows of a column chunk, left to right; chunk after chunk, each
/// from the top. Memory: one block row of a chunk, of each level, and the columns of the block a chunk's edge cuts; the
/// copies of the pieces are leased from pools of the largest piece, its scratch from the job's <see cref="BufferOwner"/>,
/// and all given back when the writer is disposed.</para>
/// </summary>
internal sealed class OverviewWriter : IDisposable
{
    private readonly RasterDataset _target;
    private readonly BufferOwner _buffers;
    private readonly RasterProfile _profile;
    private readonly int _inputs, _size;
    private readonly bool _mask;
    private readonly List<OverviewReducer> _fromFull = [];
    // Every level's reducer and blocks, cascaded or not, to give their scratch back.
    private readonly List<(OverviewReducer Reducer, Blocks Blocks)> _levels = [];
    // The pieces of the block row not yet taken through, copied: the mask's lease is empty when the file has no mask.
    private readonly List<(Window Window, Lease<byte> Samples, Lease<byte> Mask)> _pieces = [];
    private readonly BufferPool<byte> _samples;
    private readonly BufferPool<byte>? _masks;
    private readonly Stopwatch _busy = new();
    private readonly Scratch<double> _row;
    private readonly Scratch<byte> _pair, _converted;
    private bool _replaying;

    private OverviewWriter(RasterDataset target, BufferOwner buffers)
    {
        _target = target;
        _buffers = buffers;
        (_row, _pair, _converted) = (buffers.Scratch<double>(), buffers.Scratch<byte>(), buffers.Scratch<byte>());
        _profile = target.Profile;
        _size = RasterDataset.SizeOf(_profile.DataType);
        _mask = OutputBlocks.HasMask(target);
        _inputs = _profile.BandCount + (_mask ? 1 : 0);
        // Pieces are whole blocks of the file (OutputBlocks.Pieces), a block high.
        var pieceArea = (long)_profile.BlockHeight * OutputBlocks.MaxPieceLength(_profile.BlockWidth);
        _samples = buffers.Pool<byte>(_profile.BandCount * pieceArea * _size);
        _masks = _mask ? buffers.Pool<byte>(pieceArea) : null;
        var sizes = target.OverviewSizes;
        var bands = _profile.Bands;
        var alpha = bands.ToList().FindIndex(b => b.ColorInterpretation == ColorInterpretation.Alpha);
        var cascade = new List<OverviewChannel>();
        var direct = new List<OverviewChannel>();
        for (var b = 0; b < bands.Count; b++)
        {
            var flags = bands[b].MaskFlags;
            if (b == alpha) direct.Add(new OverviewChannel(b, OverviewResampling.Nearest, null, null, b + 1));
            else if (flags.HasFlag(MaskFlags.PerDataset))
            {
                direct.Add(new OverviewChannel(b, OverviewResampling.Average, flags.HasFlag(MaskFlags.Alpha) ? alpha : _profile.BandCount, null, b + 1));
            }
            else cascade.Add(new OverviewChannel(b, OverviewResampling.Average, null, flags == MaskFlags.Nodata ? bands[b].Nodata : null, b + 1));
        }
        if (_mask) direct.Add(new OverviewChannel(_profile.BandCount, OverviewResampling.Nearest, null, null, 0));

        (OverviewReducer Reducer, Blocks Blocks)? previous = null;
        for (var level = 0; level < sizes.Count; level++)
        {
            var (w, h) = sizes[level];
            if (direct.Count > 0) _fromFull.Add(Reducer(level, _inputs, _profile.Width, _profile.Height, w, h, direct).Reducer);
            if (cascade.Count == 0) continue;
            if (previous is not { } before)
            {
                previous = Reducer(level, _inputs, _profile.Width, _profile.Height, w, h, cascade);
                _fromFull.Add(previous.Value.Reducer);
                continue;
            }
            // The level before gives its channels in order: channel k of this level reads its channel k.
            previous = Reducer(level, cascade.Count, before.Reducer.Width, before.Reducer.Height, w, h, cascade.Select((c, k) => c with { Source = k }).ToList());
            before.Blocks.Next = previous.Value.Reducer;
        }
    }

    /// <summary>Time spent computing and writing overview blocks.</summary>
    public TimeSpan Busy => _busy.Elapsed;

    /// <summary>
    /// The writer of <paramref name="target"/>'s overviews, laying them out first at <paramref name="factors"/> when the
    /// file is new (a resumed file has them), its scratch leased from <paramref name="buffers"/>; null when there are none.
    /// </summary>
    public static OverviewWriter? For(RasterDataset target, IReadOnlyList<int> factors, bool created, BufferOwner buffers)
    {
        if (created) target.AddOverviews(factors);
        return target.OverviewSizes.Count == 0 ? null : new OverviewWriter(target, buffers);
    }

    private (OverviewReducer Reducer, Blocks Blocks) Reducer(int level, int inputs, int sourceWidth, int sourceHeight, int width, int height,
        List<OverviewChannel> channels)
    {
        var blocks = new Blocks(this, level, width, height, channels);
        var made = (new OverviewReducer(inputs, sourceWidth, sourceHeight, width, height, channels, _profile.DataType, _buffers, blocks.Add, blocks.Add), blocks);
        _levels.Add(made);
        return made;
    }

    public void Dispose()
    {
        _row.Dispose();
        _pair.Dispose();
        _converted.Dispose();
        GiveBackPieces();
        foreach (var (reducer, blocks) in _levels)
        {
            reducer.Dispose();
            blocks.Dispose();
        }
    }

    /// <summary>A written piece: samples in the file's type, band-major, and the mask piece when the file has one.</summary>
    public void Add(Window window, ReadOnlySpan<byte> samples, ReadOnlySpan<byte> mask)
    {
        _busy.Start();
        if (_pieces.Count > 0 && (_pieces[^1].Window.Row != window.Row || _pieces[^1].Window.Right != window.Column)) FlushRows();
        _pieces.Add((window, Copy(_samples, samples[..(int)(_profile.BandCount * window.Area * _size)]),
            _masks is null ? default : Copy(_masks, mask[..(int)window.Area])));
        _busy.Stop();
    }

    private static Lease<byte> Copy(BufferPool<byte> pool, ReadOnlySpan<byte> source)
    {
        var copy = pool.Rent();
        source.CopyTo(copy.Array);
        return copy;
    }

    /// <summary>Gives back the copies of the pieces gathered: once taken through, or, when a job fails, at dispose.</summary>
    private void GiveBackPieces()
    {
        foreach (var (_, samples, mask) in _pieces)
        {
            samples.Dispose();
            mask.Dispose();
        }
        _pieces.Clear();
    }

    /// <summary>A written piece as values (exact in the file's type), band-major.</summary>
    public void Add(Window window, ReadOnlySpan<double> values, ReadOnlySpan<byte> mask)
    {
        var n = (int)(_profile.BandCount * window.Area);
        var samples = _converted.Take(n * _size);
        Put(samples, 0, values[..n]);
        Add(window, samples, mask);
    }

    /// <summary>
    /// Takes the pieces added so far through to the overview blocks they complete: at the end, and at each checkpoint
    /// before the file is flushed, so the blocks of the rows a journal records are on disk (what <see cref="Replay"/> relies on).
    /// </summary>
    public void Flush()
    {
        _busy.Start();
        FlushRows();
        _busy.Stop();
    }

    /// <summary>
    /// The last <see cref="Flush"/>, then the file's cache: GDAL 3.6 keeps an overview's blocks in its cache, and closing
    /// the file compresses them on the closing thread alone, its compression threads already gone (a merge's overviews
    /// took a quarter of its CPU that way); flushed before, they compress on those threads.
    /// </summary>
    public void Finish()
    {
        Flush();
        _busy.Start();
        _target.FlushCache();
        _busy.Stop();
    }

    /// <summary>
    /// Rebuilds the state of an interrupted run from the <paramref name="windows"/> it wrote (in its order), read back
    /// from the file; the overview blocks those rows completed are already in the file and are not written again.
    /// </summary>
    public void Replay(IEnumerable<Window> windows, IProgress<double> progress, CancellationToken ct)
    {
        var bands = Enumerable.Range(1, _profile.BandCount).ToArray();
        var all = windows.ToList();
        using var values = _buffers.Scratch<double>();
        using var mask = _buffers.Scratch<byte>();
        _replaying = true;
        try
        {
            for (var i = 0; i < all.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var window = all[i];
                var v = values.Take((int)(bands.Length * window.Area));
                _target.Read<double>(window, bands, v);
                var m = _mask ? mask.Take((int)window.Area) : [];
                if (_mask) _target.ReadMask(window, 1, m);
                Add(window, v, m);
                progress.Report((i + 1.0) / all.Count);
            }
            Flush();
        }
        finally
        {
            _replaying = false;
        }
    }

    /// <summary>The block row gathered so far, row by row, into the levels made from the full resolution.</summary>
    private void FlushRows()
    {
        if (_pieces.Count == 0) return;
        var first = _pieces[0].Window;
        int left = first.Column, width = _pieces[^1].Window.Right - left;
        var right = left + width;
        var halving = _fromFull.Where(r => r.Halving(left, right)).ToList();
        var generic = _fromFull.Where(r => !r.Halving(left, right)).ToList();
        // Two rows in the file's type, band-major, for the levels that take rows in pairs (the upper one waits for the
        // lower, if need be across calls).
        var half = _profile.BandCount * width * _size;
        var pair = halving.Count > 0 ? _pair.Take(2 * half) : [];
        var row = _row.Take(_inputs * width);
        for (var y = 0; y < first.Height; y++)
        {
            var top = first.Row + y;
            if (halving.Count > 0)
            {
                var line = pair.AsSpan(top % 2 * half, half);
                foreach (var (window, samples, _) in _pieces)
                {
                    for (var b = 0; b < _profile.BandCount; b++)
                    {
                        samples.Array.AsSpan((int)((b * window.Area + y * window.Width) * _size), window.Width * _size)
                            .CopyTo(line[((b * width + window.Column - left) * _size)..]);
                    }
                }
                if (top % 2 == 1)
                {
                    foreach (var reducer in halving) AddHalves(reducer, top - 1, left, width, pair.AsSpan(0, half), pair.AsSpan(half, half), width);
                }
                if (generic.Count == 0) continue;
            }
            foreach (var (window, samples, mask) in _pieces)
            {
                var at = window.Column - left;
                for (var b = 0; b < _profile.BandCount; b++)
                {
                    var offset = (int)((b * window.Area + y * window.Width) * _size);
                    Get(samples.Array.AsSpan(offset, window.Width * _size), row.AsSpan(b * width + at, window.Width));
                }
                if (!mask.IsEmpty)
                {
                    var m = mask.Array;
                    for (var x = 0; x < window.Width; x++) row[_profile.BandCount * width + at + x] = m[y * window.Width + x];
                }
            }
            foreach (var reducer in generic) reducer.Add(top, left, 1, width, row.AsSpan(0, _inputs * width));
        }
        GiveBackPieces();
    }

    /// <summary>Rows <paramref name="top"/>, top + 1 in the file's type (Byte or UInt16, the types that take rows in pairs) to <paramref name="reducer"/>.</summary>
    private void AddHalves(OverviewReducer reducer, int top, int left, int columns, Span<byte> upper, Span<byte> lower, int stride)
    {
        if (_size == 1) reducer.AddHalves<byte>(top, left, columns, upper, lower, stride);
        else reducer.AddHalves<ushort>(top, left, columns, MemoryMarshal.Cast<byte, ushort>(upper), MemoryMarshal.Cast<byte, ushort>(lower), stride);
    }

    private void Get(ReadOnlySpan<byte> samples, Span<double> values)
    {
        switch (_profile.DataType)
        {
            case RasterDataType.Byte: TensorPrimitives.ConvertTruncating(samples[..values.Length], values); break;
            case RasterDataType.UInt16: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ushort>(samples), values); break;
            case RasterDataType.Int16: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, short>(samples), values); break;
            case RasterDataType.UInt32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, uint>(samples), values); break;
            case RasterDataType.Int32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(samples), values); break;
            case RasterDataType.Float32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, float>(samples), values); break;
            default: MemoryMarshal.Cast<byte, double>(samples).CopyTo(values); break;
        }
    }

    /// <summary>Samples <paramref name="at"/>.. of <paramref name="samples"/> (the file's type) set to <paramref name="values"/>, which it holds exactly.</summary>
    private void Put(Span<byte> samples, int at, ReadOnlySpan<double> values)
    {
        switch (_profile.DataType)
        {
            case RasterDataType.Byte: TensorPrimitives.ConvertTruncating(values, samples.Slice(at, values.Length)); break;
            case RasterDataType.UInt16: TensorPrimitives.ConvertTruncating(values, MemoryMarshal.Cast<byte, ushort>(samples).Slice(at, values.Length)); break;
            case RasterDataType.Int16: TensorPrimitives.ConvertTruncating(values, MemoryMarshal.Cast<byte, short>(samples).Slice(at, values.Length)); break;
            case RasterDataType.UInt32: TensorPrimitives.ConvertTruncating(values, MemoryMarshal.Cast<byte, uint>(samples).Slice(at, values.Length)); break;
            case RasterDataType.Int32: TensorPrimitives.ConvertTruncating(values, MemoryMarshal.Cast<byte, int>(samples).Slice(at, values.Length)); break;
            case RasterDataType.Float32: TensorPrimitives.ConvertTruncating(values, MemoryMarshal.Cast<byte, float>(samples).Slice(at, values.Length)); break;
            default: values.CopyTo(MemoryMarshal.Cast<byte, double>(samples)[at..]); break;
        }
    }

    /// <summary>
    /// One level's rows (of one reducer's bands) gathered into its block rows and written whole blocks at a time. A
    /// chunk's last block is cut by its edge unless it ends the row: those columns wait, for every row, for the next chunk.
    /// </summary>
    private sealed class Blocks : IDisposable
    {
        private readonly OverviewWriter _owner;
        private readonly int _level, _width, _height, _blockWidth, _blockHeight, _size;
        private readonly int[] _bands;
        private readonly int _maskChannel;
        private readonly OverviewChannel[] _channels;
        // The block row: from block-aligned column _start to the chunk's end, band-major samples and mask (each chunk's
        // taken from its scratch), and a block written from it.
        private int _start, _end;
        private byte[] _rows = [], _maskRows = [];
        private readonly Scratch<byte> _rowsScratch, _maskRowsScratch, _out, _outMask;
        // The columns a chunk's edge cut, every row: filled by one chunk (out), read by the next (in); in and out are the
        // two halves of one scratch (one for the samples, one for the mask), which swap each chunk.
        private ArraySegment<byte> _seamIn, _seamOut, _seamMaskIn, _seamMaskOut;
        private readonly Scratch<byte> _seams, _seamMasks;
        // A row given as samples, as values for a next level that takes rows one by one.
        private readonly Scratch<double> _values;

        public Blocks(OverviewWriter owner, int level, int width, int height, List<OverviewChannel> channels)
        {
            _owner = owner;
            _level = level;
            _width = width;
            _height = height;
            _channels = [.. channels];
            _bands = channels.Where(c => c.Band > 0).Select(c => c.Band).ToArray();
            _maskChannel = channels.FindIndex(c => c.Band == 0);
            (_blockWidth, _blockHeight) = owner._target.OverviewBlockSize(level);
            _size = owner._size;
            var buffers = owner._buffers;
            (_rowsScratch, _maskRowsScratch, _out, _outMask, _values) =
                (buffers.Scratch<byte>(), buffers.Scratch<byte>(), buffers.Scratch<byte>(), buffers.Scratch<byte>(), buffers.Scratch<double>());
            (_seams, _seamMasks) = (buffers.Scratch<byte>(), buffers.Scratch<byte>());
        }

        public void Dispose()
        {
            _rowsScratch.Dispose();
            _maskRowsScratch.Dispose();
            _out.Dispose();
            _outMask.Dispose();
            _values.Dispose();
            _seams.Dispose();
            _seamMasks.Dispose();
        }

        /// <summary>The level made from this one, which its rows feed (levels cascade).</summary>
        public OverviewReducer? Next { get; set; }

        private int Span => _end - _start;

        public void Add(int row, int from, int count, double[] values) => Add(row, from, count, values, []);

        /// <summary>A row as samples in the file's type, channel-major (no mask channel).</summary>
        public void Add(int row, int from, int count, byte[] samples) => Add(row, from, count, null, samples);

        private void Add(int row, int from, int count, double[]? values, byte[] samples)
        {
            // The next level takes this level's rows in pairs from the block row (both in it: block heights are even) or one by one.
            var halving = Next is not null && _blockHeight % 2 == 0 && Next.Halving(from, from + count);
            if (!halving && Next is not null)
            {
                if (values is null)
                {
                    values = _values.Take(_channels.Length * count);
                    for (var k = 0; k < _channels.Length; k++) _owner.Get(samples.AsSpan(k * count * _size, count * _size), values.AsSpan(k * count, count));
                }
                Next.Add(row, from, 1, count, values);
            }
            if (row == 0) Begin(from, count);
            var y = row % _blockHeight;
            var rowsInBlock = Math.Min(_blockHeight, _height - row / _blockHeight * _blockHeight);
            // Left of the chunk, the columns the chunk before left waiting.
            var seam = from - _start;
            for (int k = 0, b = 0; k < _channels.Length; k++)
            {
                if (k == _maskChannel)
                {
                    var line = _maskRows.AsSpan(y * Span, Span);
                    if (seam > 0) _seamMaskIn.AsSpan(row * _blockWidth, seam).CopyTo(line);
                    for (var x = 0; x < count; x++) line[seam + x] = (byte)values![k * count + x];
                    continue;
                }
                var plane = _rows.AsSpan((b * _blockHeight + y) * Span * _size, Span * _size);
                if (seam > 0) _seamIn.AsSpan((b * _height + row) * _blockWidth * _size, seam * _size).CopyTo(plane);
                if (values is null) samples.AsSpan(b * count * _size, count * _size).CopyTo(plane[(seam * _size)..]);
                else _owner.Put(plane, seam, values.AsSpan(k * count, count));
                b++;
            }
            if (halving && y % 2 == 1)
            {
                var stride = _blockHeight * Span * _size;
                _owner.AddHalves(Next!, row - 1, from, count, _rows.AsSpan(((y - 1) * Span + seam) * _size), _rows.AsSpan((y * Span + seam) * _size), stride / _size);
            }
            var written = _end == _width ? _width : _end / _blockWidth * _blockWidth;
            Keep(row, y, written);
            if (y == rowsInBlock - 1 && written > _start) Write(row - y, rowsInBlock, written);
        }

        private void Begin(int from, int count)
        {
            (_seamIn, _seamMaskIn) = (_seamOut, _seamMaskOut);
            _start = from / _blockWidth * _blockWidth;
            _end = from + count;
            if (_end < _width)
            {
                _seamOut = OtherHalf(_seams, _seamIn, _bands.Length * _height * _blockWidth * _size);
                if (_maskChannel >= 0) _seamMaskOut = OtherHalf(_seamMasks, _seamMaskIn, _height * _blockWidth);
            }
            _rows = _rowsScratch.Take(_bands.Length * _blockHeight * Span * _size);
            _maskRows = _maskChannel >= 0 ? _maskRowsScratch.Take(_blockHeight * Span) : [];
        }

        /// <summary>The half of <paramref name="seams"/> (two of <paramref name="length"/>) that <paramref name="seamIn"/> is not.</summary>
        private static ArraySegment<byte> OtherHalf(Scratch<byte> seams, ArraySegment<byte> seamIn, int length) =>
            new(seams.Take(2 * length), seamIn.Array is not null && seamIn.Offset == 0 ? length : 0, length);

        /// <summary>Row <paramref name="row"/>'s columns from <paramref name="written"/> on, for the next chunk.</summary>
        private void Keep(int row, int y, int written)
        {
            var n = _end - written;
            if (n == 0) return;
            for (var b = 0; b < _bands.Length; b++)
            {
                _rows.AsSpan(((b * _blockHeight + y) * Span + written - _start) * _size, n * _size)
                    .CopyTo(_seamOut.AsSpan((b * _height + row) * _blockWidth * _size));
            }
            if (_maskChannel >= 0) _maskRows.AsSpan(y * Span + written - _start, n).CopyTo(_seamMaskOut.AsSpan(row * _blockWidth));
        }

        private void Write(int top, int rows, int written)
        {
            if (_owner._replaying) return;
            var window = new Window(_start, top, written - _start, rows);
            var line = window.Width * _size;
            var samples = _out.Take((int)(_bands.Length * window.Area * _size));
            for (var b = 0; b < _bands.Length; b++)
            {
                for (var y = 0; y < rows; y++)
                {
                    _rows.AsSpan((b * _blockHeight + y) * Span * _size, line).CopyTo(samples.AsSpan((int)((b * window.Area + y * window.Width) * _size)));
                }
            }
            if (_bands.Length > 0) _owner._target.WriteOverviewSamples(_level, window, _bands, samples);
            if (_maskChannel < 0) return;
            var mask = _outMask.Take((int)window.Area);
            for (var y = 0; y < rows; y++) _maskRows.AsSpan(y * Span, window.Width).CopyTo(mask.AsSpan(y * window.Width));
            _owner._target.WriteOverviewMask(_level, window, mask);
        }
    }
}
