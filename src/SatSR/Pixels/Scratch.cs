using System.Buffers;

namespace SatSR.Pixels;

/// <summary>A float buffer of exactly <c>length</c> values rented from the shared pool for the span of one call (contents undefined).</summary>
internal readonly struct Scratch(int length) : IDisposable
{
    private readonly float[] _array = ArrayPool<float>.Shared.Rent(length);

    public Span<float> Span => _array.AsSpan(0, length);

    public void Dispose() => ArrayPool<float>.Shared.Return(_array);
}
