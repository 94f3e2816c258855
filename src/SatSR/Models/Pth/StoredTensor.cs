using System.Buffers.Binary;
using Razorvine.Pickle;

namespace SatSR.Models.Pth;

/// <summary>
/// The element types of the storages SatSR reads, which the pickle names as globals (<c>torch.FloatStorage</c>…).
/// As a global it is only ever a tag inside a persistent id; called as a constructor it refuses.
/// </summary>
internal sealed class StorageType : IObjectConstructor
{
    public static readonly StorageType Float = new(4, b => BinaryPrimitives.ReadSingleLittleEndian(b));
    public static readonly StorageType Half = new(2, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b));
    public static readonly StorageType Double = new(8, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b));
    // bfloat16 is the top half of a float32.
    public static readonly StorageType BFloat16 = new(2, b => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16));

    private readonly ReadElement _read;

    private StorageType(int size, ReadElement read)
    {
        ElementSize = size;
        _read = read;
    }

    private delegate float ReadElement(ReadOnlySpan<byte> bytes);

    public int ElementSize { get; }

    public float Read(ReadOnlySpan<byte> storage, long index) => _read(storage.Slice((int)(index * ElementSize), ElementSize));

    public object construct(object[] args) => throw new PickleException("a storage type cannot be called");
}

/// <summary>One storage of a checkpoint: the zip entry <c>data/Key</c> holds <see cref="Count"/> elements.</summary>
internal sealed record Storage(StorageType Type, string Key, long Count);

/// <summary>
/// A tensor as the pickle describes it: a strided view into a storage, not yet read. Views may share a storage, start
/// at an offset and be non-contiguous (a transposed weight); <see cref="Read"/> copies them into row-major order.
/// </summary>
internal sealed record StoredTensor(Storage Storage, long Offset, long[] Shape, long[] Strides)
{
    /// <summary><c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])</c></summary>
    public static StoredTensor Rebuild(object[] args)
    {
        if (args is not [Storage storage, var offset, object[] shape, object[] strides, ..] || shape.Length != strides.Length)
            throw new PickleException("_rebuild_tensor_v2 needs (storage, offset, size, stride, …)");
        var tensor = new StoredTensor(storage, Int(offset), [.. shape.Select(Int)], [.. strides.Select(Int)]);
        if (tensor.Offset < 0 || tensor.Shape.Any(d => d < 0) || tensor.Strides.Any(s => s < 0))
            throw new PickleException("a tensor with a negative offset, size or stride");
        // Checked arithmetic: a hostile size or stride overflows here, inside the unpickler's error handling.
        if (tensor.Count > Array.MaxLength || tensor.Needed < 0) throw new PickleException($"a tensor of {tensor.Count} values");
        return tensor;
    }

    public long Count => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>
    /// Storage elements the view needs: up to its last element, and at least one per value, so that a stride-0
    /// (broadcast) view cannot blow a small storage up into a huge array.
    /// </summary>
    public long Needed => Count == 0 ? 0 : Math.Max(Count, checked(Offset + 1 + Shape.Zip(Strides).Sum(p => checked((p.First - 1) * p.Second))));

    /// <param name="storage">the storage's bytes, already checked to hold <see cref="Needed"/> elements</param>
    public WeightTensor Read(ReadOnlySpan<byte> storage)
    {
        var data = new float[Count];
        var index = new long[Shape.Length];
        var at = Offset;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = Storage.Type.Read(storage, at);
            // Odometer: step the last axis; when an axis wraps, rewind it and step the one before.
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                at += Strides[d];
                if (++index[d] < Shape[d]) break;
                at -= Strides[d] * Shape[d];
                index[d] = 0;
            }
        }

        return new WeightTensor(data, Shape);
    }

    private static long Int(object o) => o is int or long ? Convert.ToInt64(o) : throw new PickleException($"expected an integer, got {o?.GetType().Name ?? "None"}");
}
