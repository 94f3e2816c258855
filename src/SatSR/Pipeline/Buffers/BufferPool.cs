using System.Collections.Concurrent;

namespace SatSR.Pipeline.Buffers;

/// <summary>
/// Arrays of one fixed length that a stage hands on and a later stage gives back, so a job allocates only as many as are
/// in flight at once and memory stays flat. (System.Buffers.ArrayPool rounds a length up to a power of two: up to twice
/// the memory for a large tile.)
/// </summary>
internal sealed class BufferPool<T>(long length)
{
    private readonly ConcurrentBag<T[]> _free = [];

    public int Length { get; } = length <= Array.MaxLength
        ? (int)length
        : throw new InvalidOptionsException($"a buffer of {length:N0} values is too large; lower {OptionName.TileSize} or {OptionName.Batch}");

    private int _created;

    /// <summary>Arrays made so far: the most that were out at once.</summary>
    public int Created => Volatile.Read(ref _created);

    public T[] Rent()
    {
        if (_free.TryTake(out var buffer)) return buffer;
        Interlocked.Increment(ref _created);
        return new T[Length];
    }

    public void Return(T[]? buffer)
    {
        if (buffer is not null) _free.Add(buffer);
    }
}
