using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Options;

namespace SatSR.Tests;

/// <summary>Models the tests run: the real default network (small and fast enough on a CPU), and a pixel repeat.</summary>
internal static class TestModels
{
    private static readonly Lazy<byte[]> GeneralX4Bytes = new(() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "realesr-general-x4v3.onnx")));

    private static readonly Lazy<byte[]> SatX4Bytes = new(() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "satsr-sat-x4.onnx")));

    /// <summary>satsr-sat-x4, the CLI's default (SRVGGNetCompact, ×4), described as the zoo describes it: for tests that
    /// compare a library run with a CLI run that names no model.</summary>
    public static ModelDescriptor SatX4 => new(
        "satsr-sat-x4", "SRVGGNetCompact", 4, 3, 3, SizeRequirements.Any, SatX4Bytes.Value, 1_213_296, "test fixture", NetworkFootprint.Compact) { Consistency = true, MeasuredWeight = true };

    /// <summary>realesr-general-x4v3 as exported by PyTorch (SRVGGNetCompact, ×4).</summary>
    public static ModelDescriptor GeneralX4 => new(
        "realesr-general-x4v3", "SRVGGNetCompact", 4, 3, 3, SizeRequirements.Any, GeneralX4Bytes.Value, 1_213_296, "test fixture", NetworkFootprint.Compact);

    /// <summary>A graph that only repeats pixels ×4 (3 channels): its 8-bit output area-averages back to exactly the input.</summary>
    public static byte[] PixelRepeatX4()
    {
        var g = new SatSR.Models.Onnx.OnnxGraphBuilder("nearest-x4");
        g.ResizeNearest(g.Input("input", 3), 4, "output");
        g.Output("output", 3);
        return g.ToBytes();
    }

    /// <summary><see cref="PixelRepeatX4"/> as a model to run: any tile size, overlap read off the graph (0).</summary>
    public static ModelDescriptor PixelRepeat => new(
        "nearest-x4", "PixelRepeat", 4, 3, 3, SizeRequirements.Any, PixelRepeatX4(), 0, "test", NetworkFootprint.OfGraph(PixelRepeatX4()));

    /// <summary><see cref="PixelRepeatX4"/> as <c>nearest-x4.onnx</c> in <paramref name="dir"/>; its path.</summary>
    public static string WritePixelRepeatX4(string dir)
    {
        var path = Path.Combine(dir, "nearest-x4.onnx");
        File.WriteAllBytes(path, PixelRepeatX4());
        return path;
    }

    /// <summary>A run of the default network on the CPU with every other option at its default.</summary>
    public static UpscaleOptions GeneralX4OnCpu(string input, string output) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = GeneralX4,
        Device = ExecutionDevice.Cpu,
    };
}
