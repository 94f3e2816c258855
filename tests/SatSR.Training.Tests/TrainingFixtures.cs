using SatSR.Geometry;
using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Raster;
using SatSR.Training.Networks;
using static TorchSharp.torch;

namespace SatSR.Training.Tests;

/// <summary>A fresh temp folder per test, removed with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("satsr-training-tests-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Tiny networks and rasters the tests make for themselves.</summary>
internal static class TrainingFixtures
{
    public static readonly SrvggSpec TinySrvgg = new(Channels: 3, Scale: 4, Features: 4, Convs: 2);
    public static readonly RrdbSpec TinyRrdb = new(Channels: 3, Scale: 4, Features: 8, Blocks: 1, Grow: 4);

    public static string Fixture(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The real CBERS crop shipped in samples/ (512×512 8-bit pan, a black wedge of nodata along the left edge).</summary>
    public static string Crop => Fixture("cbers2b_pan_edge_512.tif");

    /// <summary>A network of <paramref name="spec"/> with seeded random weights, exported as a .pth and loaded by SatSR's loader.</summary>
    public static ModelDescriptor BaseModel(NetworkSpec spec, string path, long seed = 7)
    {
        manual_seed(seed);
        using var net = spec.Create();
        Trainer.Export(path, net, net);
        return ModelLoader.Load(path);
    }

    /// <summary>An 8-bit, one-band GeoTIFF of <paramref name="values"/> (0 is nodata for 8-bit files without a declaration).</summary>
    public static string Raster(string path, int width, int height, Func<int, int, byte> values) =>
        Raster(path, width, height, RasterDataType.Byte, [ColorInterpretation.Gray], (_, x, y) => values(x, y));

    /// <summary>A GeoTIFF of <paramref name="type"/> with one band per colour interpretation; value(band, x, y), band 1-based.</summary>
    public static string Raster(string path, int width, int height, RasterDataType type, ColorInterpretation[] bands,
        Func<int, int, int, double> value, IReadOnlyDictionary<string, string>? creationOptions = null, GeoTransform? transform = null)
    {
        var profile = new RasterProfile
        {
            Transform = transform,
            Width = width,
            Height = height,
            DataType = type,
            Bands = [.. bands.Select(c => new BandInfo("", c, null, MaskFlags.AllValid))],
        };
        var n = width * height;
        var data = new double[bands.Length * n];
        for (var b = 0; b < bands.Length; b++)
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++) data[b * n + y * width + x] = value(b + 1, x, y);
        using var dst = RasterDataset.Create(path, profile, creationOptions ?? new Dictionary<string, string>());
        dst.Write<double>(new Window(0, 0, width, height), [.. Enumerable.Range(1, bands.Length)], data);
        return path;
    }

    public static TrainingOptions Options(ModelDescriptor model, string input, string output) => new()
    {
        Inputs = [input],
        Base = model,
        OutputPath = output,
        Steps = 6,
        Batch = 2,
        Patch = 32,
        Every = 3,
        Seed = 3,
    };
}
