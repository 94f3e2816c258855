using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SatSR.Models.Ncnn;

/// <summary>One array the <c>.bin</c> holds for a layer, in the order ncnn's layers load them.</summary>
/// <param name="Tagged">true where ncnn loads with "auto" type: a 4-byte tag says how the data is stored
/// (convolution weights); false for raw fp32 (biases, PReLU slopes).</param>
internal readonly record struct NcnnWeightSpec(string Layer, string Role, int Count, bool Tagged);

/// <summary>
/// Reads an ncnn <c>.bin</c>: the layers' arrays back to back, no header, no padding between them.
/// <code>
/// tagged:  [tag u32][data]   tag 0x01306B47 → fp16, padded to 4 bytes;  tag 0 → fp32
/// raw:     [fp32 × Count]
/// </code>
/// The file must hold exactly what the <c>.param</c> describes: a short file means a broken download and a long
/// one means the two files do not belong together, and either would silently shift every later weight.
/// </summary>
internal static class NcnnWeights
{
    private const uint Float16Tag = 0x01306B47;
    private const uint Float32Tag = 0;

    /// <summary>The arrays in <paramref name="specs"/> order, as fp32.</summary>
    /// <param name="paramFile">the .param file name, for error messages</param>
    public static float[][] Read(string path, IReadOnlyList<NcnnWeightSpec> specs, string paramFile)
    {
        var file = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        var length = stream.Length;

        // remaining[i]: the fewest bytes specs i.. can take (tagged as fp16). Checked before anything is
        // allocated, so a .param announcing absurd sizes fails here and not in an out-of-memory.
        var remaining = new long[specs.Count + 1];
        for (var i = specs.Count - 1; i >= 0; i--) remaining[i] = remaining[i + 1] + MinimumBytes(specs[i]);
        ModelException Short(long needed) =>
            new($"{file}: {length} bytes, but {paramFile} needs at least {needed}");
        if (remaining[0] > length) throw Short(remaining[0]);

        var arrays = new float[specs.Count][];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var tag = spec.Tagged ? ReadTag(stream) : Float32Tag;
            var bytes = tag switch
            {
                Float16Tag => Align4(spec.Count * 2L),
                Float32Tag => spec.Count * 4L,
                _ => throw new ModelException(
                    $"{file}: {spec.Role} of layer '{spec.Layer}' has storage tag 0x{tag:X8} (quantized or int8); only fp32 and fp16 are supported"),
            };
            var needed = stream.Position + bytes + remaining[i + 1];
            if (needed > length) throw Short(needed);
            arrays[i] = tag == Float16Tag ? ReadFloat16(stream, spec.Count, bytes) : ReadFloat32(stream, spec.Count);
        }

        if (stream.Position != length)
            throw new ModelException($"{file}: {length} bytes, but {paramFile} describes exactly {stream.Position}");
        return arrays;
    }

    private static long MinimumBytes(NcnnWeightSpec spec) =>
        spec.Tagged ? 4 + Align4(spec.Count * 2L) : spec.Count * 4L;

    private static long Align4(long bytes) => (bytes + 3) & ~3L;

    private static uint ReadTag(Stream stream)
    {
        Span<byte> tag = stackalloc byte[4];
        stream.ReadExactly(tag);
        return BinaryPrimitives.ReadUInt32LittleEndian(tag);
    }

    // .bin files are little-endian, as is every platform .NET runs on, so fp32 data is copied as is.
    private static float[] ReadFloat32(Stream stream, int count)
    {
        var values = new float[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static float[] ReadFloat16(Stream stream, int count, long bytes)
    {
        var raw = new byte[bytes];
        stream.ReadExactly(raw);
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(2 * i));
        return values;
    }
}
