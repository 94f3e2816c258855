using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SatSR.Pipeline.Buffers;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>
/// One output channel of an <see cref="OverviewReducer"/>: input channel <paramref name="Source"/>, averaged or
/// nearest; valid where input channel <paramref name="ValidFrom"/> is not 0 (a mask or alpha band) or where the value is
/// not <paramref name="Nodata"/>, or everywhere when neither is given. <paramref name="Band"/>: the overview band it
/// fills (1-based), 0 for the mask.
/// </summary>
internal sealed record OverviewChannel(int Source, OverviewResampling Resampling, int? ValidFrom, double? Nodata, int Band)
{
    public bool Masked => ValidFrom is not null || Nodata is not null;
}

/// <summary>
/// One overview level computed from the rows of its source (the full resolution or the level before) as they come,
/// with GDAL 3.6's arithmetic (gcore/overview.cpp, GDALRegenerateOverviews per band), so the pixels are those
/// gdaladdo would make from the same source. GDAL's averaging cannot be fed a block row at a time, hence this.
/// <list type="bullet">
/// <item>Each overview pixel covers source columns [j·r, (j+1)·r) with r = source/overview size (not a whole number
/// when a side is odd): whole pixels weigh 1, the cut ones at the ends the part inside; only valid pixels count;
/// integers round half up, the other types are averaged as float32 (GDAL's working type for them) and written with
/// GDAL's rounding. A mean equal to nodata is stepped off it; a pixel with no valid source is nodata (0 without one).</item>
/// <item>Unmasked channels with windows exactly 2×2 take GDAL's shortcut: (a+b+c+d+2)/4, or float sums in its order.</item>
/// <item>Nearest takes source pixel (⌊0.5 + j·r⌋, ⌊0.5 + i·r⌋).</item>
/// </list>
/// The common case, integer channels averaged (unmasked or nodata) over whole 2×2 windows, takes its rows in pairs in
/// the file's type (<see cref="AddHalves{T}"/>) and computes each pixel straight from its four samples.
/// Rows come in column chunks (the output is written chunk by chunk, each top to bottom): a chunk computes the
/// overview pixels whose windows end inside it, and keeps, for every source row, the partial sums of the pixel its
/// right edge cuts, which the next chunk completes in GDAL's left-to-right order. The rows it keeps and emits are scratch
/// leased from the job's <see cref="BufferOwner"/>, given back when it is disposed.
/// </summary>
internal sealed class OverviewReducer : IDisposable
{
    private readonly record struct Span1(int From, int To, double First, double Last, double Full, int Nearest);

    /// <summary>A row's running sums over the columns of a cut pixel seen so far (GDAL sums each row left to right).</summary>
    private struct Partial
    {
        public double Total, Weight, First, Near;
        public int Count;
    }

    private readonly OverviewChannel[] _channels;
    private readonly int _inputs, _sourceWidth, _sourceHeight;
    private readonly bool _float;
    private readonly RasterDataType _type;
    private readonly Span1[] _columns, _rows;
    private readonly bool _pairs, _halving;
    private readonly Action<int, int, int, double[]> _emit;
    private readonly Action<int, int, int, byte[]> _emitSamples;

    // The chunk: source columns [_left, _right), overview columns [_from, _to), rows received, next overview row.
    private int _left = -1, _right, _from, _to, _received, _next;
    private Partial[] _carryIn, _carryOut;
    private bool _carried;
    // The source rows the next overview rows need, each in a scratch of its own that is reused for a later row (and chunk).
    private readonly List<(int Row, double[] Values, Scratch<double> Slot)> _ring = [];
    private readonly Stack<Scratch<double>> _spare = new();
    private readonly BufferOwner _buffers;
    private readonly Scratch<double> _line;
    private readonly Scratch<byte> _samples;

    /// <param name="emit">gets each overview row: (row, first column, columns, values channel-major; the array may be longer)</param>
    /// <param name="emitSamples">gets, instead, each row made from rows in pairs, as samples in the file's type</param>
    public OverviewReducer(int inputs, int sourceWidth, int sourceHeight, int width, int height, IReadOnlyList<OverviewChannel> channels,
        RasterDataType type, BufferOwner buffers, Action<int, int, int, double[]> emit, Action<int, int, int, byte[]> emitSamples)
    {
        _inputs = inputs;
        _sourceWidth = sourceWidth;
        _sourceHeight = sourceHeight;
        Width = width;
        Height = height;
        _channels = [.. channels];
        _type = type;
        _float = type is not (RasterDataType.Byte or RasterDataType.UInt16);
        _emit = emit;
        _emitSamples = emitSamples;
        _columns = Axis(sourceWidth, width);
        _rows = Axis(sourceHeight, height);
        // GDAL's shortcut needs every window of a row two wide and each starting where the one before ends.
        _pairs = _columns.Select((c, j) => c.To - c.From == 2 && (j == 0 || _columns[j - 1].To == c.From)).All(x => x);
        _halving = !_float && sourceWidth == 2 * width && sourceHeight == 2 * height
            && _channels.All(c => c is { Resampling: OverviewResampling.Average, ValidFrom: null } && !double.IsNaN(c.Nodata ?? 0));
        _carryIn = new Partial[sourceHeight * _channels.Length];
        _carryOut = new Partial[sourceHeight * _channels.Length];
        _buffers = buffers;
        (_line, _samples) = (buffers.Scratch<double>(), buffers.Scratch<byte>());
    }

    public void Dispose()
    {
        _line.Dispose();
        _samples.Dispose();
        foreach (var (_, _, slot) in _ring) slot.Dispose();
        foreach (var slot in _spare) slot.Dispose();
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>GDAL's source window of each overview pixel along an axis, with the weights of its cut ends.</summary>
    private static Span1[] Axis(int source, int length)
    {
        var ratio = (double)source / length;
        var axis = new Span1[length];
        for (var j = 0; j < length; j++)
        {
            double a = j * ratio, b = (j + 1) * ratio;
            // GDAL's epsilon against rounding of j·r.
            int from = (int)(a + 1e-8), to = (int)Math.Ceiling(b - 1e-8);
            if (to == from) to++;
            to = Math.Min(to, source);
            var first = to == from + 1 ? 1.0 : 1 - (a - from);
            var last = 1 - (to - b);
            var full = first;
            if (from + 1 < to)
            {
                full += to - from - 2;
                full += last;
            }
            axis[j] = new Span1(from, to, first, last, full, (int)(0.5 + a));
        }
        return axis;
    }

    /// <summary>
    /// Source rows <paramref name="top"/>.. of columns [<paramref name="left"/>, +<paramref name="columns"/>), all input
    /// channels, channel-major: whole rows of the current chunk in order, or the first rows of the next chunk.
    /// </summary>
    public void Add(int top, int left, int rows, int columns, ReadOnlySpan<double> values)
    {
        if (left != _left || top != _received) Begin(left, left + columns, top);
        var plane = rows * columns;
        for (var r = 0; r < rows; r++)
        {
            var slot = _spare.Count > 0 ? _spare.Pop() : _buffers.Scratch<double>();
            var row = slot.Take(_inputs * columns);
            for (var c = 0; c < _inputs; c++) values.Slice(c * plane + r * columns, columns).CopyTo(row.AsSpan(c * columns));
            _ring.Add((top + r, row, slot));
            Carry(top + r, row);
        }
        _received = top + rows;
        while (_next < Height && (_rows[_next].To <= _received || _received == _sourceHeight))
        {
            Emit(_next++);
            var keep = _next < Height ? _rows[_next].From : _sourceHeight;
            while (_ring.Count > 0 && _ring[0].Row < keep)
            {
                _spare.Push(_ring[0].Slot);
                _ring.RemoveAt(0);
            }
        }
    }

    /// <summary>
    /// Whether <see cref="AddHalves{T}"/> can take the chunk of source columns [<paramref name="left"/>, <paramref name="right"/>):
    /// every window whole 2×2 and integer, averaged, unmasked or nodata, and none cut by the chunk's edges.
    /// </summary>
    public bool Halving(int left, int right) => _halving && left % 2 == 0 && right % 2 == 0;

    /// <summary>
    /// Source rows <paramref name="top"/> (even) and the one below of a chunk <see cref="Halving"/> takes, columns
    /// [<paramref name="left"/>, +<paramref name="columns"/>), input channel c at c·<paramref name="stride"/> of each.
    /// </summary>
    public void AddHalves<T>(int top, int left, int columns, ReadOnlySpan<T> upper, ReadOnlySpan<T> lower, int stride)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (left != _left || top != _received) Begin(left, left + columns, top);
        _received = top + 2;
        var count = _to - _from;
        var samples = _samples.Take(_channels.Length * count * Unsafe.SizeOf<T>());
        var line = MemoryMarshal.Cast<byte, T>(samples.AsSpan());
        for (var k = 0; k < _channels.Length; k++)
        {
            var at = _channels[k].Source * stride;
            Halve(upper.Slice(at, columns), lower.Slice(at, columns), _channels[k].Nodata, line.Slice(k * count, count));
        }
        _emitSamples(_next++, _from, count, samples);
    }

    /// <summary>
    /// What <see cref="Average"/> and <see cref="Pair"/> make of whole 2×2 windows (every weight 1), byte rows a vector at a time.
    /// </summary>
    private void Halve<T>(ReadOnlySpan<T> upper, ReadOnlySpan<T> lower, double? nodata, Span<T> line) where T : unmanaged, IBinaryInteger<T>
    {
        // Only a whole nodata within the type's range can equal a sample or a mean; -1 equals none.
        var none = nodata is { } nd && nd == Math.Floor(nd) && nd >= 0 && nd <= Max ? (int)nd : -1;
        var replacement = none < 0 ? 0 : (int)Replacement(none);
        var i = typeof(T) == typeof(byte)
            ? HalveBytes(MemoryMarshal.Cast<T, byte>(upper), MemoryMarshal.Cast<T, byte>(lower), MemoryMarshal.Cast<T, byte>(line), none, replacement)
            : 0;
        for (var x = 2 * i; i < line.Length; i++, x += 2)
        {
            line[i] = T.CreateTruncating(Mean(int.CreateTruncating(upper[x]), int.CreateTruncating(upper[x + 1]),
                int.CreateTruncating(lower[x]), int.CreateTruncating(lower[x + 1]), none, replacement));
        }
    }

    /// <summary>
    /// Byte windows 16 at a time, the ones that need no nodata handling: columns widened to 16 bits and the rows
    /// added, each two lanes added as one 32-bit lane, rounded, narrowed back. A group with nodata among its samples
    /// or means goes one by one. Returns how many it made.
    /// </summary>
    private static int HalveBytes(ReadOnlySpan<byte> upper, ReadOnlySpan<byte> lower, Span<byte> line, int none, int replacement)
    {
        if (!Vector128.IsHardwareAccelerated) return 0;
        var nodata = Vector128.Create((byte)Math.Max(none, 0));
        var i = 0;
        for (; i + 16 <= line.Length; i += 16)
        {
            var x = 2 * i;
            Vector128<byte> u0 = Vector128.Create(upper.Slice(x, 16)), u1 = Vector128.Create(upper.Slice(x + 16, 16));
            Vector128<byte> l0 = Vector128.Create(lower.Slice(x, 16)), l1 = Vector128.Create(lower.Slice(x + 16, 16));
            var (ua, ub) = Vector128.Widen(u0);
            var (uc, ud) = Vector128.Widen(u1);
            var (la, lb) = Vector128.Widen(l0);
            var (lc, ld) = Vector128.Widen(l1);
            var means = Vector128.Narrow(Vector128.Narrow(Round(ua + la), Round(ub + lb)), Vector128.Narrow(Round(uc + lc), Round(ud + ld)));
            if (none >= 0 && (Vector128.Equals(u0, nodata) | Vector128.Equals(u1, nodata) | Vector128.Equals(l0, nodata)
                | Vector128.Equals(l1, nodata) | Vector128.Equals(means, nodata)) != Vector128<byte>.Zero)
            {
                for (var j = i; j < i + 16; j++)
                {
                    var at = 2 * j;
                    line[j] = (byte)Mean(upper[at], upper[at + 1], lower[at], lower[at + 1], none, replacement);
                }
                continue;
            }
            means.CopyTo(line[i..]);
        }
        return i;
    }

    /// <summary>GDAL's (a+b+c+d+2)/4 of the column sums two 16-bit lanes hold.</summary>
    private static Vector128<uint> Round(Vector128<ushort> sums)
    {
        var pairs = sums.AsUInt32();
        return ((pairs & Vector128.Create(0xFFFFu)) + (pairs >> 16) + Vector128.Create(2u)) >> 2;
    }

    /// <summary>
    /// A whole 2×2 window's mean: unmasked or all valid, GDAL's (a+b+c+d+2)/4; else the valid samples' sum over their
    /// count rounded half up, nodata where none is valid; a mean on nodata stepped off it. <paramref name="none"/>: the
    /// nodata value, -1 for none.
    /// </summary>
    private static int Mean(int a, int b, int c, int d, int none, int replacement)
    {
        int v;
        if (a != none && b != none && c != none && d != none) v = (a + b + c + d + 2) >> 2;
        else
        {
            int total = 0, valid = 0;
            if (a != none) { total += a; valid++; }
            if (b != none) { total += b; valid++; }
            if (c != none) { total += c; valid++; }
            if (d != none) { total += d; valid++; }
            if (valid == 0) return none;
            v = (int)Math.Floor((double)total / valid + 0.5);
        }
        return v == none ? replacement : v;
    }

    private void Begin(int left, int right, int top)
    {
        if (top != 0) throw new InvalidOperationException($"overview source chunk at column {left} starts at row {top}, not 0");
        if (_left >= 0)
        {
            if (_next != Height) throw new InvalidOperationException($"overview source chunk at column {_left} ended at row {_received} of {_sourceHeight}");
            // The pixel this chunk's edge cut continues from what the chunk before summed.
            (_carryIn, _carryOut) = (_carryOut, _carryIn);
            _carried = _to < Width && _columns[_to].From < _right;
            _from = _to;
        }
        _left = left;
        _right = right;
        _to = _from;
        if (right == _sourceWidth) _to = Width;
        else while (_to < Width && _columns[_to].To <= right) _to++;
        _received = 0;
        _next = 0;
        foreach (var (_, _, slot) in _ring) _spare.Push(slot);
        _ring.Clear();
    }

    /// <summary>The running sums, for row <paramref name="y"/>, of the pixel this chunk's right edge cuts.</summary>
    private void Carry(int y, double[] row)
    {
        if (_to >= Width || _columns[_to].From >= _right) return;
        var width = _right - _left;
        for (var k = 0; k < _channels.Length; k++)
        {
            ref var p = ref _carryOut[y * _channels.Length + k];
            p = _carried && _to == _from ? _carryIn[y * _channels.Length + k] : default;
            var channel = _channels[k];
            var column = _columns[_to];
            for (var x = Math.Max(column.From, _left); x < _right; x++) Accumulate(ref p, channel, row, width, x - _left, column, x);
            if (column.From >= _left) p.First = Sample(row[channel.Source * width + column.From - _left]);
            if (column.Nearest >= _left && column.Nearest < _right) p.Near = Sample(row[channel.Source * width + column.Nearest - _left]);
        }
    }

    private void Accumulate(ref Partial p, OverviewChannel channel, double[] row, int width, int at, Span1 column, int x)
    {
        if (!Valid(channel, row, width, at)) return;
        var w = x == column.From ? column.First : x == column.To - 1 ? column.Last : 1.0;
        p.Total += Sample(row[channel.Source * width + at]) * w;
        p.Weight += w;
        p.Count++;
    }

    private bool Valid(OverviewChannel channel, double[] row, int width, int at) =>
        channel.ValidFrom is { } m ? row[m * width + at] != 0
        : channel.Nodata is not { } nodata || !Same(row[channel.Source * width + at], nodata);

    /// <summary>GDAL's nodata test: equal, or both NaN.</summary>
    private static bool Same(double v, double nodata) => v == nodata || (double.IsNaN(v) && double.IsNaN(nodata));

    /// <summary>The value as GDAL averages it: types other than Byte and UInt16 go through float32.</summary>
    private double Sample(double v) => _float ? (float)v : v;

    private double[] RingRow(int y) => _ring[y - _ring[0].Row].Values;

    private void Emit(int j)
    {
        var count = _to - _from;
        if (count == 0) return;
        var line = _line.Take(_channels.Length * count);
        var rows = _rows[j];
        for (var k = 0; k < _channels.Length; k++)
        {
            var channel = _channels[k];
            for (var i = _from; i < _to; i++)
            {
                line[k * count + i - _from] = channel.Resampling == OverviewResampling.Nearest
                    ? Value(k, rows.Nearest, i, _columns[i].Nearest)
                    : Average(k, channel, rows, i);
            }
        }
        _emit(j, _from, count, line);
    }

    /// <summary>Input value of channel <paramref name="k"/>'s source at (x, y); left of the chunk, the carried one.</summary>
    private double Value(int k, int y, int i, int x)
    {
        var width = _right - _left;
        if (x >= _left) return Sample(RingRow(y)[_channels[k].Source * width + x - _left]);
        var p = _carryIn[y * _channels.Length + k];
        return x == _columns[i].Nearest && _channels[k].Resampling == OverviewResampling.Nearest ? p.Near : p.First;
    }

    private double Average(int k, OverviewChannel channel, Span1 rows, int i)
    {
        var column = _columns[i];
        if (!channel.Masked && _pairs && rows.To == rows.From + 2) return Pair(k, rows.From, i, column.From);
        var width = _right - _left;
        double total = 0, weight = 0;
        var count = 0;
        for (var y = rows.From; y < rows.To; y++)
        {
            var p = i == _from && _carried ? _carryIn[y * _channels.Length + k] : default;
            var row = RingRow(y);
            for (var x = Math.Max(column.From, _left); x < column.To; x++) Accumulate(ref p, channel, row, width, x - _left, column, x);
            var wy = y == rows.From ? rows.First : y == rows.To - 1 ? rows.Last : 1.0;
            total += p.Total * wy;
            weight += p.Weight * wy;
            count += p.Count;
        }
        if (!channel.Masked) weight = column.Full * rows.Full;
        else if (count == 0) return channel.Nodata ?? 0;
        if (!_float)
        {
            var v = Math.Floor(total / weight + 0.5);
            return channel.Nodata is { } nd && v == nd ? Replacement(nd) : v;
        }
        var f = (float)(total / weight);
        if (channel.Nodata is { } nodata && f == (float)nodata) f = (float)Replacement(nodata);
        return Store(f);
    }

    /// <summary>GDAL's 2×2 shortcut for unmasked bands: integers (a+b+c+d+2)/4; float32 summed as its SSE2 code or its tail loop does.</summary>
    private double Pair(int k, int y, int i, int x)
    {
        double a = Value(k, y, i, x), b = Value(k, y, i, x + 1), c = Value(k, y + 1, i, x), d = Value(k, y + 1, i, x + 1);
        if (!_float) return Math.Floor((a + b + c + d + 2) / 4);
        // Groups of four overview pixels go through SSE2 (vertical sums first), the rest one by one.
        var sum = i < Width / 4 * 4 ? ((float)a + (float)c) + ((float)b + (float)d) : (float)a + (float)b + (float)c + (float)d;
        return Store(sum * 0.25f);
    }

    /// <summary>What GDAL puts instead of a mean that lands on nodata: the next value up (down from the type's top).</summary>
    private double Replacement(double nodata) => _type switch
    {
        RasterDataType.Float32 or RasterDataType.Float64 => MathF.BitIncrement((float)nodata),
        _ => nodata == Max ? nodata - 1 : nodata + 1,
    };

    private double Max => _type switch
    {
        RasterDataType.Byte => byte.MaxValue,
        RasterDataType.UInt16 => ushort.MaxValue,
        RasterDataType.Int16 => short.MaxValue,
        RasterDataType.UInt32 => uint.MaxValue,
        _ => int.MaxValue,
    };

    /// <summary>A float32 mean as GDAL writes it into a band of the file's type: integers rounded half away from zero and clamped.</summary>
    private double Store(float v) => _type switch
    {
        RasterDataType.Float32 or RasterDataType.Float64 => v,
        RasterDataType.Int16 => Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue),
        RasterDataType.UInt32 => Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, uint.MaxValue),
        _ => Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue),
    };
}
