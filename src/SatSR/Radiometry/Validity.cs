using SatSR.Geometry;
using SatSR.Raster;

namespace SatSR.Radiometry;

/// <summary>
/// Decides which input pixels are valid. A pixel is nodata only when every band says so: a dark pixel with one
/// band at the nodata value is still part of the scene. Read from GDAL's mask bands when the file has a nodata
/// value, mask or alpha; otherwise from the values.
/// </summary>
internal sealed class Validity
{
    private readonly RasterDataset _source;
    private readonly NodataMode _mode;
    private readonly double _value;
    private readonly bool _useMasks;
    private byte[] _mask = [];

    private Validity(RasterDataset source, NodataMode mode, double value, bool useMasks, double? outputNodata)
    {
        _source = source;
        _mode = mode;
        _value = value;
        _useMasks = useMasks;
        OutputNodata = outputNodata;
    }

    /// <summary>The nodata value written to the output.</summary>
    public double? OutputNodata { get; }

    public static Validity For(RasterDataset source, NodataMode mode, double value)
    {
        var profile = source.Profile;
        var fileNodata = profile.Bands.Select(b => b.Nodata).FirstOrDefault(n => n.HasValue);
        var hasMask = profile.Bands.Any(b => (b.MaskFlags & MaskFlags.AllValid) == 0);
        return mode switch
        {
            NodataMode.Value => new Validity(source, NodataMode.Value, value, false, value),
            NodataMode.None => new Validity(source, NodataMode.None, 0, false, DefaultNodata(profile.DataType)),
            _ when hasMask => new Validity(source, NodataMode.FromFile, 0, true, fileNodata ?? DefaultNodata(profile.DataType)),
            // GIS convention: an 8-bit image without any nodata declaration uses 0 for "outside the scene".
            _ when profile.DataType == RasterDataType.Byte => new Validity(source, NodataMode.Value, 0, false, 0),
            _ => new Validity(source, NodataMode.None, 0, false, DefaultNodata(profile.DataType)),
        };
    }

    /// <summary>The same rule reading masks through <paramref name="other"/>, a handle of the same file for another thread.</summary>
    public Validity For(RasterDataset other) => new(other, _mode, _value, _useMasks, OutputNodata);

    /// <summary>
    /// Fills <paramref name="valid"/> (row-major over <paramref name="window"/>) with 255 for valid pixels, 0 for nodata;
    /// <paramref name="values"/> are the window's band-major samples of all bands. Returns the number of valid pixels.
    /// </summary>
    public int Evaluate(Window window, ReadOnlySpan<double> values, Span<byte> valid)
    {
        var n = window.Width * window.Height;
        var bands = _source.Profile.BandCount;
        if (_mode == NodataMode.None)
        {
            valid[..n].Fill(255);
            return n;
        }
        if (_useMasks)
        {
            if (_mask.Length < n) _mask = new byte[n];
            valid[..n].Clear();
            for (var b = 1; b <= bands; b++)
            {
                // An alpha band's own mask is "all valid": the other bands' masks are what it says.
                if (_source.Profile.Bands[b - 1].ColorInterpretation == ColorInterpretation.Alpha) continue;
                _source.ReadMask(window, b, _mask.AsSpan(0, n));
                for (var i = 0; i < n; i++) valid[i] |= _mask[i];
            }
        }
        else
        {
            EvaluateValues(n, values, valid);
        }

        var count = 0;
        for (var i = 0; i < n; i++) count += valid[i] != 0 ? 1 : 0;
        return count;
    }

    /// <summary>
    /// The value rule alone, for samples that have no window (decimated statistics reads): a pixel is nodata when
    /// every band equals the nodata value. Where validity comes from masks this uses the file's nodata value.
    /// </summary>
    public void EvaluateValues(int n, ReadOnlySpan<double> values, Span<byte> valid)
    {
        var bands = _source.Profile.BandCount;
        double? rule = _mode == NodataMode.None ? null : _useMasks ? _source.Profile.Bands[0].Nodata : _value;
        if (rule is not { } nodata)
        {
            valid[..n].Fill(255);
            return;
        }
        var isNaN = double.IsNaN(nodata);
        for (var i = 0; i < n; i++)
        {
            var any = false;
            for (var b = 0; b < bands && !any; b++)
            {
                var v = values[b * n + i];
                any = isNaN ? !double.IsNaN(v) : v != nodata;
            }
            valid[i] = any ? (byte)255 : (byte)0;
        }
    }

    /// <summary>Nodata for an output whose input declares none by value (e.g. a mask band): the type's floor.</summary>
    public static double DefaultNodata(RasterDataType type) => type switch
    {
        RasterDataType.Int16 => short.MinValue,
        RasterDataType.Int32 => int.MinValue,
        RasterDataType.Float32 or RasterDataType.Float64 => double.NaN,
        _ => 0,
    };
}
