using System.Numerics;
using System.Runtime.InteropServices;
using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// A piece as the output's samples (band-major, in its data type), its mask when the output has one (else empty), and
/// its consistency with the input. Its leases are the writer's to give back.
/// </summary>
internal sealed record EncodedPiece(Window Window, Lease<byte> Samples, Lease<byte> Mask, SquaredError Consistency) : WriteItem
{
    public override void Dispose()
    {
        Samples.Dispose();
        Mask.Dispose();
    }
}

/// <summary>
/// Turns blended values into stored samples: back to each band's range, encoded to the output type (a valid pixel never
/// equals nodata), nodata restored nearest-neighbour exactly where the input was nodata, alpha bands copied. It reads the
/// input under the piece with a dataset handle of its own. One per encoding worker. Gives back the piece's values.
/// </summary>
internal sealed class PieceEncoder : IDisposable
{
    private readonly RasterDataset _source;
    private readonly Validity _validity;
    private readonly BandSelection _bands;
    private readonly BandScale[] _scales;
    private readonly SampleEncoder[] _encoders;
    private readonly int _scale;
    private readonly RasterDataType _type;
    private readonly BufferPool<byte> _samples;
    private readonly BufferPool<byte>? _masks;
    private readonly int[] _allBands;
    private readonly Scratch<double> _values;
    private readonly Scratch<byte> _valid;
    private readonly Scratch<int> _columns;

    /// <param name="masks">where the pieces' masks come from; null: the output has no mask band</param>
    public PieceEncoder(string path, Validity validity, BandSelection bands, BandScale[] scales, SampleEncoder[] encoders, int scale,
        RasterDataType type, BufferPool<byte> samples, BufferPool<byte>? masks, BufferOwner buffers)
    {
        _source = RasterDataset.Open(path);
        _validity = validity.For(_source);
        (_bands, _scales, _encoders, _scale) = (bands, scales, encoders, scale);
        (_type, _samples, _masks) = (type, samples, masks);
        _allBands = Enumerable.Range(1, _source.Profile.BandCount).ToArray();
        (_values, _valid, _columns) = (buffers.Scratch<double>(), buffers.Scratch<byte>(), buffers.Scratch<int>());
    }

    public WriteItem Encode(WriteItem item) => item is not StripPiece piece ? item : _type switch
    {
        RasterDataType.Byte => Encode<byte>(piece),
        RasterDataType.UInt16 => Encode<ushort>(piece),
        RasterDataType.Int16 => Encode<short>(piece),
        RasterDataType.UInt32 => Encode<uint>(piece),
        RasterDataType.Int32 => Encode<int>(piece),
        RasterDataType.Float32 => Encode<float>(piece),
        RasterDataType.Float64 => Encode<double>(piece),
        _ => throw new ArgumentOutOfRangeException(nameof(item), _type, "unsupported data type"),
    };

    /// <summary>Encodes straight into the output's type (native byte order, for a GDAL write that needs no conversion).</summary>
    private EncodedPiece Encode<T>(StripPiece piece) where T : unmanaged, INumberBase<T>
    {
        using var _ = piece;
        var samples = _samples.Rent();
        var mask = _masks?.Rent() ?? default;
        try
        {
            return Encode<T>(piece.Window, piece.Values.Array, samples, mask);
        }
        catch
        {
            samples.Dispose();
            mask.Dispose();
            throw;
        }
    }

    private EncodedPiece Encode<T>(Window window, float[] blended, Lease<byte> samplesLease, Lease<byte> maskLease) where T : unmanaged, INumberBase<T>
    {
        int scale = _scale;
        // Input pixels under this output window: nodata is restored nearest-neighbour from them.
        var input = Window.FromEdges(window.Column / scale, window.Row / scale, (window.Right + scale - 1) / scale, (window.Bottom + scale - 1) / scale);
        int n = input.Width * input.Height, plane = window.Width * window.Height;
        var values = _values.Take(_allBands.Length * n);
        var valid = _valid.Take(n);
        _source.Read<double>(input, _allBands, values);
        _validity.Evaluate(input, values, valid);

        var pixels = MemoryMarshal.Cast<byte, T>(samplesLease.Array.AsSpan())[..(_bands.Output.Length * plane)];
        // The input column under each output column: nearest neighbour, computed once per piece.
        var columns = _columns.Take(window.Width);
        for (var x = 0; x < window.Width; x++) columns[x] = (window.Column + x) / scale - input.Column;
        // The input columns under the piece, whose nodata pixels are restored after a row is encoded.
        var under = columns[0]..(columns[window.Width - 1] + 1);
        var mask = maskLease.IsEmpty ? null : maskLease.Array;
        var nodata = T.CreateTruncating(_validity.OutputNodata ?? 0);
        var error = default(SquaredError);
        for (var o = 0; o < _bands.Output.Length; o++)
        {
            var b = _bands.Output[o] - 1;
            var carried = _bands.Carried.Contains(b + 1);
            var encoder = _encoders[b].Prepare();
            var range = _scales[b].Unit;
            for (var y = 0; y < window.Height; y++)
            {
                var row = blended.AsSpan(o * plane + y * window.Width, window.Width);
                var inRow = ((window.Row + y) / scale - input.Row) * input.Width;
                var validRow = valid.AsSpan(inRow, input.Width);
                var dst = pixels.Slice(o * plane + y * window.Width, window.Width);
                if (carried)
                {
                    var source = values.AsSpan(b * n + inRow, input.Width);
                    for (var x = 0; x < dst.Length; x++) dst[x] = T.CreateTruncating(source[columns[x]]);
                    continue;
                }
                // The whole row a vector at a time (a pixel's sample depends on its value alone), then nodata where the input was.
                encoder.EncodeUnits(row, range, dst);
                for (var ix = under.Start.Value; ix < under.End.Value; ix++)
                {
                    if (validRow[ix] != 0) continue;
                    var left = Math.Max(0, (input.Column + ix) * scale - window.Column);
                    var right = Math.Min(window.Width, (input.Column + ix + 1) * scale - window.Column);
                    dst[left..right].Fill(nodata);
                }
                if (mask is null || o != 0) continue;
                var maskRow = mask.AsSpan(y * window.Width, window.Width);
                for (var x = 0; x < maskRow.Length; x++) maskRow[x] = validRow[columns[x]];
            }
            if (carried) continue;
            error += Consistency.Measure<T>(pixels.Slice(o * plane, plane), window, values.AsSpan(b * n, n), input, valid, scale, range);
        }
        return new EncodedPiece(window, samplesLease, maskLease, error);
    }

    public void Dispose()
    {
        _source.Dispose();
        _values.Dispose();
        _valid.Dispose();
        _columns.Dispose();
    }
}
