using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SatSR.Tests.Viewer;

/// <summary>A decoded 8-bit image: row-major samples, <see cref="Channels"/> per pixel.</summary>
internal sealed record PngImage(int Width, int Height, int Channels, byte[] Samples)
{
    public byte this[int x, int y, int channel] => Samples[(y * Width + x) * Channels + channel];
}

/// <summary>
/// Reads the PNGs the tests meet (Chromium's screenshots, SatSR's embedded views): 8-bit grey, grey+alpha, RGB or RGBA,
/// not interlaced, any of the five row filters (ISO/IEC 15948 §9), so it decodes what another encoder wrote.
/// </summary>
internal static class PngReader
{
    public static PngImage Read(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);      // bit depth
                Assert.Equal(0, data[12]);     // not interlaced
                channels = data[9] switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, var t => throw new NotSupportedException($"PNG colour type {t}") };
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            at += 12 + length;
        }

        var stride = width * channels;
        var raw = new MemoryStream();
        idat.Position = 0;
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(raw);
        var filtered = raw.ToArray();
        Assert.Equal((stride + 1) * height, filtered.Length);
        var samples = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = filtered[y * (stride + 1)];
            for (var i = 0; i < stride; i++)
            {
                int x = filtered[y * (stride + 1) + 1 + i];
                int a = i >= channels ? samples[y * stride + i - channels] : 0;
                int b = y > 0 ? samples[(y - 1) * stride + i] : 0;
                int c = i >= channels && y > 0 ? samples[(y - 1) * stride + i - channels] : 0;
                samples[y * stride + i] = (byte)(filter switch
                {
                    0 => x,
                    1 => x + a,
                    2 => x + b,
                    3 => x + (a + b) / 2,
                    4 => x + Paeth(a, b, c),
                    _ => throw new NotSupportedException($"PNG filter {filter}"),
                });
            }
        }
        return new PngImage(width, height, channels, samples);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
