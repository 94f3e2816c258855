using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline;

namespace SatSR.Tests;

/// <summary>Models the tests run: the real default network (small and fast enough on a CPU).</summary>
internal static class TestModels
{
    private static readonly Lazy<byte[]> GeneralX4Bytes = new(() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "realesr-general-x4v3.onnx")));

    /// <summary>realesr-general-x4v3 as exported by PyTorch (SRVGGNetCompact, ×4).</summary>
    public static ModelDescriptor GeneralX4 => new(
        "realesr-general-x4v3", "SRVGGNetCompact", 4, 3, 3, SizeRequirements.Any, GeneralX4Bytes.Value, 1_213_296, "test fixture");

    /// <summary>A run of the default network on the CPU with every other option at its default.</summary>
    public static UpscaleOptions GeneralX4OnCpu(string input, string output) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = GeneralX4,
        Device = ExecutionDevice.Cpu,
    };
}
