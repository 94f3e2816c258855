using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline.Stages;

/// <summary>A tile's read window as read: band-major samples of every band and its validity. No values when it holds no valid pixel.</summary>
internal sealed record ReadTile(ScheduledTile Scheduled, double[]? Values, byte[]? Valid)
{
    /// <summary>Everything this tile could contribute to is nodata in the output anyway: it is not inferred.</summary>
    public bool Skipped => Values is null;
}

/// <summary>
/// Reads tiles with a dataset handle of its own (a GDAL 3.6 handle must not be shared between threads) and decides
/// which of their pixels are valid. One per reading worker.
/// </summary>
internal sealed class TileReader : IDisposable
{
    private readonly RasterDataset _source;
    private readonly Validity _validity;
    private readonly BufferPool<double> _values;
    private readonly BufferPool<byte> _valid;
    private readonly int[] _bands;

    public TileReader(string path, Validity validity, BufferPool<double> values, BufferPool<byte> valid)
    {
        _source = RasterDataset.Open(path);
        _validity = validity.For(_source);
        _values = values;
        _valid = valid;
        _bands = Enumerable.Range(1, _source.Profile.BandCount).ToArray();
    }

    public ReadTile Read(ScheduledTile scheduled)
    {
        var window = scheduled.Tile.Read;
        var values = _values.Rent();
        var valid = _valid.Rent();
        _source.Read<double>(window, _bands, values);
        if (_validity.Evaluate(window, values, valid) > 0) return new ReadTile(scheduled, values, valid);
        _values.Return(values);
        _valid.Return(valid);
        return new ReadTile(scheduled, null, null);
    }

    public void Dispose() => _source.Dispose();
}
