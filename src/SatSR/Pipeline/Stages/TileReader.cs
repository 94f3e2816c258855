using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Planning;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline.Stages;

/// <summary>
/// A tile's read window as read: band-major samples of every band and its validity. No leases when it holds no valid
/// pixel. Its leases are the preparer's to give back or hand on.
/// </summary>
internal sealed record ReadTile(ScheduledTile Scheduled, Lease<double> Values, Lease<byte> Valid) : IDisposable
{
    /// <summary>Everything this tile could contribute to is nodata in the output anyway: it is not inferred.</summary>
    public bool Skipped => Values.IsEmpty;

    public void Dispose()
    {
        Values.Dispose();
        Valid.Dispose();
    }
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
        var (values, valid) = (_values.Rent(), _valid.Rent());
        var kept = false;
        try
        {
            _source.Read<double>(window, _bands, values.Array);
            kept = _validity.Evaluate(window, values.Array, valid.Array) > 0;
            return kept ? new ReadTile(scheduled, values, valid) : new ReadTile(scheduled, default, default);
        }
        finally
        {
            // A tile of nodata only, or a failed read, holds nothing.
            if (!kept)
            {
                values.Dispose();
                valid.Dispose();
            }
        }
    }

    public void Dispose() => _source.Dispose();
}
