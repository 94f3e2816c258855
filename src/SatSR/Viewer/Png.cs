using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SatSR.Viewer;

/// <summary>
/// A minimal PNG encoder (ISO/IEC 15948): 8-bit grey+alpha or RGBA, one zlib stream, every row filtered "Up" (the
/// difference to the row above, which a nearest-enlarged image turns into zeros). Enough for embedding a view in a page.
/// </summary>
public static class Png
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>
    /// Encodes <paramref name="pixels"/>, row-major with <paramref name="channels"/> bytes per pixel: 2 (grey, alpha)
    /// or 4 (red, green, blue, alpha).
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (channels is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), "2 (grey, alpha) or 4 (RGBA)");
        var stride = width * channels;
        if (width <= 0 || height <= 0 || pixels.Length != stride * height) throw new ArgumentException("pixels must hold width×height×channels bytes");

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;                                   // bits per sample
        header[9] = channels == 2 ? (byte)4 : (byte)6;   // colour type: grey+alpha or RGBA
        WriteChunk(png, "IHDR", header);

        using var data = new MemoryStream();
        using (var zlib = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + stride];
            row[0] = 2; // Up
            for (var y = 0; y < height; y++)
            {
                var current = pixels.Slice(y * stride, stride);
                for (var i = 0; i < stride; i++) row[1 + i] = (byte)(current[i] - (y > 0 ? pixels[(y - 1) * stride + i] : 0));
                zlib.Write(row);
            }
        }
        WriteChunk(png, "IDAT", data.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var name = Encoding.ASCII.GetBytes(type);
        png.Write(name);
        png.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, name), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}
