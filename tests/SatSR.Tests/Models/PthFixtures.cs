using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SatSR.Tests.Models;

/// <summary>The .pth fixtures (see Fixtures/models/pth/PROVENANCE.md) and hand-made archives for the hostile cases.</summary>
internal static class PthFixtures
{
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "pth", name);

    /// <summary>A raw little-endian float32 NCHW file as a tensor.</summary>
    public static DenseTensor<float> Floats(string name, int[] shape) =>
        new(MemoryMarshal.Cast<byte, float>(System.IO.File.ReadAllBytes(File(name))).ToArray(), shape);

    public static float MaxAbsDifference(DenseTensor<float> a, DenseTensor<float> b)
    {
        Assert.Equal(a.Dimensions.ToArray(), b.Dimensions.ToArray());
        var max = 0f;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a.GetValue(i) - b.GetValue(i)));
        return max;
    }

    /// <summary>Writes a zip holding the given entries (stored, uncompressed) to <paramref name="path"/>.</summary>
    public static string Zip(string path, params (string Name, byte[] Bytes)[] entries)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(bytes);
            }
        }
        return path;
    }

    /// <summary>The entries of a fixture, one of them changed by <paramref name="change"/> (by entry name).</summary>
    public static (string Name, byte[] Bytes)[] Entries(string fixture, Func<string, byte[], byte[]> change)
    {
        using var zip = ZipFile.OpenRead(File(fixture));
        return [.. zip.Entries.Select(e =>
        {
            using var stream = e.Open();
            var bytes = new byte[e.Length];
            stream.ReadExactly(bytes);
            return (e.FullName, change(e.FullName, bytes));
        })];
    }
}
