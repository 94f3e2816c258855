namespace SatSR.Pipeline.Buffers;

/// <summary>Scratch arrays a worker keeps in a field and grows as needed, so steady work allocates nothing.</summary>
internal static class Arrays
{
    /// <summary><paramref name="buffer"/>, grown to at least <paramref name="length"/>; contents are not kept.</summary>
    internal static T[] Reuse<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
        return buffer;
    }
}
