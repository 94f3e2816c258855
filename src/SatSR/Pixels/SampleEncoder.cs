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

    public double Encode(double value)
    {
        var (typeMin, typeMax) = TypeRange(DataType);
        double lo = Math.Max(typeMin, ValidMin), hi = Math.Min(typeMax, ValidMax);
        var v = IsInteger ? Math.Round(value, MidpointRounding.AwayFromZero) : value;
        if (DataType == RasterDataType.Float32) v = (float)v;
        v = Math.Clamp(v, lo, hi);
        if (Nodata is not { } nodata || v != nodata) return v;

        // Step one representable value away from nodata, towards the side the unrounded value was on when possible.
        var up = IsInteger ? v + 1 : (DataType == RasterDataType.Float32 ? MathF.BitIncrement((float)v) : Math.BitIncrement(v));
        var down = IsInteger ? v - 1 : (DataType == RasterDataType.Float32 ? MathF.BitDecrement((float)v) : Math.BitDecrement(v));
        var preferUp = value > nodata || (value == nodata && nodata <= lo);
        if (preferUp) return up <= hi ? up : down;
        return down >= lo ? down : up;
    }
}
