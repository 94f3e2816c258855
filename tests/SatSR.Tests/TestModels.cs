using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Models.Onnx;
using SatSR.Pipeline.Options;

namespace SatSR.Tests;

/// <summary>Models the tests run: the real default network (small and fast enough on a CPU), a pixel repeat, and a two-convolution graph to work out by hand.</summary>
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

    /// <summary>
    /// conv(1→2, 1×1) → LeakyReLU(0.2) → conv(2→1, 1×1), its tensors named input, c1, r1, output: weights small enough to
    /// quantise by hand, and every activation a straight line in the input.
    /// </summary>
    public static byte[] TwoConvolutions()
    {
        var g = new OnnxGraphBuilder("two");
        var x = g.Input("input", 1);
        var a = g.Conv(x, g.Initializer("w1", [0.5f, -0.25f], 2, 1, 1, 1), g.Initializer("b1", [0.1f, 0f], 2), 1, "c1");
        var r = g.LeakyRelu(a, 0.2f, "r1");
        g.Conv(r, g.Initializer("w2", [1f, -0.3f], 1, 2, 1, 1), null, 1, "output");
        g.Output("output", 1);
        return g.ToBytes();
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
