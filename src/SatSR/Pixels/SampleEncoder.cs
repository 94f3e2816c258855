using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SatSR.Raster;

namespace SatSR.Pixels;

/// <summary>
/// Turns a super-resolved value of a valid pixel into a stored sample: rounded for integer types, clamped to the
/// type and to <see cref="ValidMin"/>..<see cref="ValidMax"/>, and never equal to <see cref="Nodata"/> — a valid
/// pixel stored as nodata would be a hole in every GIS.
/// </summary>
public sealed record SampleEncoder(RasterDataType DataType, double? Nodata, double ValidMin, double ValidMax)
{
    public static SampleEncoder For(RasterDataType type, double? nodata)
    {
        var (min, max) = TypeRange(type);
        return new SampleEncoder(type, nodata, min, max);
    }

    public static (double Min, double Max) TypeRange(RasterDataType type) => type switch
    {
        RasterDataType.Byte => (byte.MinValue, byte.MaxValue),
        RasterDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        RasterDataType.Int16 => (short.MinValue, short.MaxValue),
        RasterDataType.UInt32 => (uint.MinValue, uint.MaxValue),
        RasterDataType.Int32 => (int.MinValue, int.MaxValue),
        RasterDataType.Float32 => (float.MinValue, float.MaxValue),
        RasterDataType.Float64 => (double.MinValue, double.MaxValue),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported data type"),
    };

    public bool IsInteger => DataType is not (RasterDataType.Float32 or RasterDataType.Float64);

    public double Encode(double value) => Prepare().Encode(value);

    /// <summary>This encoder with its bounds worked out once, for encoding many samples in a loop.</summary>
    public Quantizer Prepare() => new(this);

    /// <summary><see cref="SampleEncoder"/>'s rule with its constants precomputed: the inner loop of the writing stages.</summary>
    public readonly struct Quantizer
    {
        private readonly double _lo, _hi, _nodata;
        private readonly bool _integer, _single, _hasNodata;

        public Quantizer(SampleEncoder encoder)
        {
            var (typeMin, typeMax) = TypeRange(encoder.DataType);
            (_lo, _hi) = (Math.Max(typeMin, encoder.ValidMin), Math.Min(typeMax, encoder.ValidMax));
            (_integer, _single) = (encoder.IsInteger, encoder.DataType == RasterDataType.Float32);
            (_hasNodata, _nodata) = (encoder.Nodata.HasValue, encoder.Nodata ?? 0);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // per sample; as TilePredictor.Mean
        public double Encode(double value)
        {
            var v = _integer ? Math.Round(value, MidpointRounding.AwayFromZero) : value;
            if (_single) v = (float)v;
            v = Math.Clamp(v, _lo, _hi);
            return _hasNodata && v == _nodata ? StepOffNodata(value, v) : v;
        }

        /// <summary>
        /// Encodes a row of valid pixels given in <paramref name="range"/>'s unit scale into samples of type
        /// <typeparamref name="T"/>: <see cref="Encode"/> of <see cref="BandRange.FromUnit"/> for each, computed for
        /// integer types a vector of doubles at a time (the same IEEE operations lane by lane, so the same samples; a group
        /// that meets nodata takes the scalar rule).
        /// </summary>
        public void EncodeUnits<T>(ReadOnlySpan<float> units, BandRange range, Span<T> destination) where T : unmanaged, INumberBase<T>
        {
            var x = 0;
            if (_integer && Vector.IsHardwareAccelerated)
            {
                var lanes = new Lanes(this, range);
                x = typeof(T) == typeof(byte) || typeof(T) == typeof(ushort) || typeof(T) == typeof(short)
                    ? EncodeNarrowed(lanes, units, range, destination)
                    : EncodeLaneByLane(lanes, units, range, destination);
            }
            EncodeEach(units, range, destination, x, units.Length);
        }

        /// <summary>The scalar rule for <c>units[from..to]</c>: a row's tail, or a vector group that meets nodata.</summary>
        private void EncodeEach<T>(ReadOnlySpan<float> units, BandRange range, Span<T> destination, int from, int to) where T : unmanaged, INumberBase<T>
        {
            for (var x = from; x < to; x++) destination[x] = T.CreateTruncating(Encode(range.FromUnit(units[x])));
        }

        /// <summary>
        /// 8- and 16-bit samples, a vector of them per store: whole numbers of their range pass exactly through float
        /// (below 2²⁴) and int32 and are narrowed lane by lane (two's complement keeps Int16's sign). Returns how many were
        /// encoded.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // per sample; as TilePredictor.Mean
        private int EncodeNarrowed<T>(in Lanes lanes, ReadOnlySpan<float> units, BandRange range, Span<T> destination) where T : unmanaged, INumberBase<T>
        {
            int width = Vector<float>.Count, group = Vector<T>.Count, x = 0;
            for (; x <= units.Length - group; x += group)
            {
                var clean = lanes.Whole(units[x..], out var i0) & lanes.Whole(units[(x + width)..], out var i1);
                var shorts = Vector.Narrow(Vector.AsVectorUInt32(i0), Vector.AsVectorUInt32(i1));
                if (typeof(T) == typeof(byte))
                {
                    clean &= lanes.Whole(units[(x + 2 * width)..], out var i2) & lanes.Whole(units[(x + 3 * width)..], out var i3);
                    var bytes = Vector.Narrow(shorts, Vector.Narrow(Vector.AsVectorUInt32(i2), Vector.AsVectorUInt32(i3)));
                    if (clean) bytes.CopyTo(MemoryMarshal.AsBytes(destination)[x..]);
                }
                else if (clean)
                {
                    shorts.CopyTo(MemoryMarshal.Cast<T, ushort>(destination)[x..]);
                }
                if (!clean) EncodeEach(units, range, destination, x, x + group);
            }
            return x;
        }

        /// <summary>32-bit integer samples: rounded a vector at a time, stored one by one. Returns how many were encoded.</summary>
        private int EncodeLaneByLane<T>(in Lanes lanes, ReadOnlySpan<float> units, BandRange range, Span<T> destination) where T : unmanaged, INumberBase<T>
        {
            int width = Vector<float>.Count, half = Vector<double>.Count, x = 0;
            Span<double> values = stackalloc double[width];
            for (; x <= units.Length - width; x += width)
            {
                if (!lanes.Round(units[x..], out var a, out var b))
                {
                    EncodeEach(units, range, destination, x, x + width);
                    continue;
                }
                a.CopyTo(values);
                b.CopyTo(values[half..]);
                for (var i = 0; i < width; i++) destination[x + i] = T.CreateTruncating(values[i]);
            }
            return x;
        }

        /// <summary><see cref="Encode"/>'s rule for integer types on a vector of floats: scaled, rounded, clamped.</summary>
        private readonly struct Lanes(Quantizer q, BandRange range)
        {
            private readonly Vector<double> _span = new(range.Span), _low = new(range.Low), _lo = new(q._lo), _hi = new(q._hi), _nodata = new(q._nodata);
            private readonly bool _hasNodata = q._hasNodata;

            /// <summary>The samples of <c>units[..Vector&lt;float&gt;.Count]</c> as two vectors of doubles; false when one is nodata.</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public bool Round(ReadOnlySpan<float> units, out Vector<double> a, out Vector<double> b)
            {
                Vector.Widen(new Vector<float>(units), out a, out b);
                // The native min and max (one instruction, where IEEE's takes several) agree with Math.Clamp on every
                // finite value, and the values to encode are: predictions that are not are refused (TilePredictor).
                a = Vector.MinNative(Vector.MaxNative(RoundAwayFromZero(a * _span + _low), _lo), _hi);
                b = Vector.MinNative(Vector.MaxNative(RoundAwayFromZero(b * _span + _low), _lo), _hi);
                return !(_hasNodata && (Vector.EqualsAny(a, _nodata) || Vector.EqualsAny(b, _nodata)));
            }

            /// <summary>As <see cref="Round"/>, as int32 (exact for 8- and 16-bit samples).</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public bool Whole(ReadOnlySpan<float> units, out Vector<int> whole)
            {
                var clean = Round(units, out var a, out var b);
                whole = Vector.ConvertToInt32(Vector.Narrow(a, b));
                return clean;
            }
        }

        /// <summary>Math.Round(v, MidpointRounding.AwayFromZero) per lane: the integer part, plus the sign when the fraction is at least ½.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<double> RoundAwayFromZero(Vector<double> v)
        {
            var whole = Vector.Truncate(v);
            var up = Vector.GreaterThanOrEqual(Vector.Abs(v - whole), new Vector<double>(0.5));
            var sign = Vector.ConditionalSelect(Vector.LessThan(v, Vector<double>.Zero), new Vector<double>(-1.0), Vector<double>.One);
            return whole + Vector.ConditionalSelect(up, sign, Vector<double>.Zero);
        }

        /// <summary>One representable value away from nodata, towards the side the unrounded value was on when possible.</summary>
        private double StepOffNodata(double value, double v)
        {
            var up = _integer ? v + 1 : (_single ? MathF.BitIncrement((float)v) : Math.BitIncrement(v));
            var down = _integer ? v - 1 : (_single ? MathF.BitDecrement((float)v) : Math.BitDecrement(v));
            var preferUp = value > _nodata || (value == _nodata && _nodata <= _lo);
            if (preferUp) return up <= _hi ? up : down;
            return down >= _lo ? down : up;
        }
    }
}
