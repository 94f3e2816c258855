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

        public double Encode(double value)
        {
            var v = _integer ? Math.Round(value, MidpointRounding.AwayFromZero) : value;
            if (_single) v = (float)v;
            v = Math.Clamp(v, _lo, _hi);
            return _hasNodata && v == _nodata ? StepOffNodata(value, v) : v;
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

    /// <summary>
    /// Stores encoded samples (<see cref="Encode"/>'s results: exact in <paramref name="type"/>) as that type's bytes,
    /// native byte order, for a GDAL write that needs no conversion.
    /// </summary>
    public static void Store(ReadOnlySpan<double> samples, Span<byte> destination, RasterDataType type)
    {
        switch (type)
        {
            case RasterDataType.Byte: Cast<byte>(samples, destination); break;
            case RasterDataType.UInt16: Cast<ushort>(samples, destination); break;
            case RasterDataType.Int16: Cast<short>(samples, destination); break;
            case RasterDataType.UInt32: Cast<uint>(samples, destination); break;
            case RasterDataType.Int32: Cast<int>(samples, destination); break;
            case RasterDataType.Float32: Cast<float>(samples, destination); break;
            case RasterDataType.Float64: samples.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(destination)); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported data type");
        }
    }

    private static void Cast<T>(ReadOnlySpan<double> samples, Span<byte> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var typed = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(destination);
        for (var i = 0; i < samples.Length; i++) typed[i] = T.CreateTruncating(samples[i]);
    }
}
