using System.Buffers.Binary;

namespace SatSR.Tests;

/// <summary>
/// Where the pieces (strips or tiles) of a little-endian classic TIFF of one directory lie, read off its bytes, so a
/// test can damage one piece of a file GDAL wrote. Hand-read because GDAL reports what a block holds, not where.
/// </summary>
internal static class TiffBytes
{
    public const ushort StripOffsets = 273, StripByteCounts = 279, TileOffsets = 324, TileByteCounts = 325;

    /// <summary>Offset and length of piece <paramref name="index"/>, from the offsets and byte-counts tags given.</summary>
    public static (int Offset, int Length) Piece(byte[] tiff, ushort offsetsTag, ushort countsTag, int index) =>
        (Value(tiff, offsetsTag, index), Value(tiff, countsTag, index));

    /// <summary>How many values tag <paramref name="tag"/> holds (for the offsets tags: how many pieces).</summary>
    public static int Count(byte[] tiff, ushort tag) => Entry(tiff, tag).Count;

    private static int Value(byte[] tiff, ushort tag, int index)
    {
        var (type, count, values) = Entry(tiff, tag);
        Assert.InRange(index, 0, count - 1);
        return type == 3 ? BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(values + 2 * index)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(values + 4 * index));
    }

    /// <summary>Tag <paramref name="tag"/>'s type (SHORT 3 or LONG 4), count and where its values start: in the entry when they fit in 4 bytes, else where it points.</summary>
    private static (int Type, int Count, int Values) Entry(byte[] tiff, ushort tag)
    {
        Assert.Equal("II*\0"u8.ToArray(), tiff[..4]);
        var ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        for (var i = 0; i < BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(ifd)); i++)
        {
            var entry = tiff.AsSpan(ifd + 2 + 12 * i, 12);
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry) != tag) continue;
            var type = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
            Assert.True(type is 3 or 4, $"tag {tag} of type {type}");
            var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            var values = count * (type == 3 ? 2 : 4) <= 4 ? ifd + 2 + 12 * i + 8 : (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            return (type, count, values);
        }
        throw new InvalidDataException($"no tag {tag}");
    }
}
