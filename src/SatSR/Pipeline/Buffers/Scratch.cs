using System.Runtime.CompilerServices;

namespace SatSR.Pipeline.Buffers;

/// <summary>
/// A worker's scratch, leased from a <see cref="BufferOwner"/> for the worker's life: it grows to the largest length
/// asked of it (contents are not kept) and disposing it gives its bytes back. Using it after that throws.
/// </summary>
internal sealed class Scratch<T> : IDisposable
{
    private readonly BufferOwner _owner;
    private T[]? _array = [];

    internal Scratch(BufferOwner owner)
    {
        _owner = owner;
        owner.Lent(1, 0);
    }

    /// <summary>The buffer, at least <paramref name="length"/> long.</summary>
    public T[] Take(int length)
    {
        var array = _array ?? throw new ObjectDisposedException(nameof(Scratch<T>), "scratch used after it was given back");
        if (array.Length >= length) return array;
        _owner.Lent(0, ((long)length - array.Length) * Unsafe.SizeOf<T>());
        return _array = new T[length];
    }

    public void Dispose()
    {
        var array = _array ?? throw new InvalidOperationException("scratch given back twice");
        _owner.Returned(1, (long)array.Length * Unsafe.SizeOf<T>());
        _array = null;
    }
}
