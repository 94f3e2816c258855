using System.Numerics;
using System.Runtime.CompilerServices;
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
        /// integer types four doubles at a time (the same IEEE operations lane by lane, so the same samples; a group
        /// that meets nodata takes the scalar rule).
        /// </summary>
        public void EncodeUnits<T>(ReadOnlySpan<float> units, BandRange range, Span<T> destination) where T : unmanaged, INumberBase<T>
        {
            var x = 0;
            if (_integer && Vector.IsHardwareAccelerated)
            {
                var width = Vector<float>.Count;
                var half = Vector<double>.Count;
                var (span, low, lo, hi, nodata) = (new Vector<double>(range.Span), new Vector<double>(range.Low), new Vector<double>(_lo),
                    new Vector<double>(_hi), new Vector<double>(_nodata));
                Span<double> lanes = stackalloc double[width];
                for (; x <= units.Length - width; x += width)
                {
                    Vector.Widen(new Vector<float>(units[x..]), out var a, out var b);
                    a = Vector.Min(Vector.Max(RoundAwayFromZero(a * span + low), lo), hi);
                    b = Vector.Min(Vector.Max(RoundAwayFromZero(b * span + low), lo), hi);
                    if (_hasNodata && (Vector.EqualsAny(a, nodata) || Vector.EqualsAny(b, nodata)))
                    {
                        for (var i = x; i < x + width; i++) destination[i] = T.CreateTruncating(Encode(range.FromUnit(units[i])));
                        continue;
                    }
                    a.CopyTo(lanes);
                    b.CopyTo(lanes[half..]);
                    for (var i = 0; i < width; i++) destination[x + i] = T.CreateTruncating(lanes[i]);
                }
            }
            for (; x < units.Length; x++) destination[x] = T.CreateTruncating(Encode(range.FromUnit(units[x])));
        }

        /// <summary>Math.Round(v, MidpointRounding.AwayFromZero) per lane: the integer part, plus the sign when the fraction is at least ½.</summary>
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
