using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace SatSR.Pipeline.Buffers;

/// <summary>
/// Arrays of one fixed length, lent as <see cref="Lease{T}"/>s: a job allocates only as many as are out at once and
/// memory stays flat. (System.Buffers.ArrayPool rounds a length up to a power of two: up to twice the memory for a
/// large tile.) Made by a <see cref="BufferOwner"/>, which counts what is out.
/// </summary>
internal sealed class BufferPool<T>
{
    /// <summary>One array of the pool and how many times it was lent: a lease of an earlier time holds it no more.</summary>
    internal sealed class Slot(BufferPool<T> pool, T[] array)
    {
        public BufferPool<T> Pool { get; } = pool;
        public T[] Array { get; } = array;
        public int Generation;
    }

    private readonly ConcurrentBag<Slot> _free = [];
    private readonly BufferOwner _owner;
    private readonly long _bytes;
    private int _created;

    internal BufferPool(BufferOwner owner, long length)
    {
        Length = length <= Array.MaxLength
            ? (int)length
            : throw new InvalidOptionsException($"a buffer of {length:N0} values is too large; lower {OptionName.TileSize} or {OptionName.Batch}");
        _owner = owner;
        _bytes = length * Unsafe.SizeOf<T>();
    }

    public int Length { get; }

    /// <summary>Arrays made so far: the most that were out at once.</summary>
    public int Created => Volatile.Read(ref _created);

    public Lease<T> Rent()
    {
        if (!_free.TryTake(out var slot))
        {
            Interlocked.Increment(ref _created);
            slot = new Slot(this, new T[Length]);
        }
        _owner.Lent(1, _bytes);
        return new Lease<T>(slot);
    }

    internal void Return(Slot slot, int generation)
    {
        if (Interlocked.CompareExchange(ref slot.Generation, generation + 1, generation) != generation)
        {
            throw new InvalidOperationException($"a buffer of {Length:N0} {typeof(T).Name} values was given back twice");
        }
        _owner.Returned(1, _bytes);
        _free.Add(slot);
    }
}

/// <summary>
/// An array of a <see cref="BufferPool{T}"/> lent to whoever holds this; disposing it gives the array back. The holder
/// either disposes it or hands it on in the item it makes (each item says who disposes). <c>default</c> holds no array
/// (a band or tile not inferred) and disposing it does nothing. Giving an array back twice, or taking it from a lease
/// already given back, throws in every build: by then the pool may have lent it to another tile, whose pixels would
/// change silently; the check is one integer compare, no allocation.
/// </summary>
internal readonly struct Lease<T> : IDisposable
{
    private readonly BufferPool<T>.Slot? _slot;
    private readonly int _generation;

    internal Lease(BufferPool<T>.Slot slot) => (_slot, _generation) = (slot, slot.Generation);

    public bool IsEmpty => _slot is null;

    public T[] Array => _slot is { } slot && Volatile.Read(ref slot.Generation) == _generation
        ? slot.Array
        : throw new InvalidOperationException(_slot is null ? "no buffer was lent" : "a buffer was used after it was given back");

    public void Dispose() => _slot?.Pool.Return(_slot, _generation);
}
