namespace SatSR.Pipeline.Buffers;

/// <summary>
/// The buffers of one job. Every array a stage holds is leased from here: a tile's or piece's buffer from one of its
/// <see cref="Pool{T}"/>s, a worker's scratch as a <see cref="Scratch{T}"/>. It counts the leases and bytes out now and
/// the most bytes out at once, against <see cref="Budget"/>, the bytes the tile size was chosen for. Passing the budget
/// is reported (<see cref="BufferCounts.OverBudget"/>), not refused: the budget is the tile sizing's estimate, and
/// refusing a lease would fail a job that the estimate got slightly wrong. The blending strip (OutputStrip) is not
/// leased from here: it has a budget of its own (UpscaleOptions.StripBudgetBytes), which sizes the column chunks.
/// </summary>
internal sealed class BufferOwner(long budget = long.MaxValue)
{
    private long _bytes, _peak;
    private int _leases;

    public long Budget => budget;

    public BufferCounts Counts => new(Volatile.Read(ref _leases), Interlocked.Read(ref _bytes), Interlocked.Read(ref _peak), budget);

    /// <summary>Arrays of <paramref name="length"/> values, pooled: a stage hands them on and a later stage gives them back.</summary>
    public BufferPool<T> Pool<T>(long length) => new(this, length);

    /// <summary>A scratch buffer one worker keeps and grows (it never leaves the worker, so it is not pooled).</summary>
    public Scratch<T> Scratch<T>() => new(this);

    internal void Lent(int leases, long bytes)
    {
        Interlocked.Add(ref _leases, leases);
        var now = Interlocked.Add(ref _bytes, bytes);
        var peak = Interlocked.Read(ref _peak);
        while (now > peak && Interlocked.CompareExchange(ref _peak, now, peak) is var seen && seen != peak) peak = seen;
    }

    internal void Returned(int leases, long bytes)
    {
        Interlocked.Add(ref _leases, -leases);
        Interlocked.Add(ref _bytes, -bytes);
    }
}

/// <summary>What a <see cref="BufferOwner"/> has out now, the most bytes it had out at once, and its budget.</summary>
internal sealed record BufferCounts(int LeasesOut, long BytesOut, long PeakBytes, long Budget)
{
    public bool OverBudget => PeakBytes > Budget;
}
