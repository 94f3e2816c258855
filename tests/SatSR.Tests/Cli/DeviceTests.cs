using SatSR.Cli;
using Spectre.Console.Testing;

namespace SatSR.Tests.Cli;

/// <summary>A GPU device asked of the CPU build (this machine has neither CUDA nor the GPU package).</summary>
public class DeviceTests
{
    [Theory]
    [InlineData("cuda")]
    [InlineData("tensorrt")]
    public async Task A_gpu_device_without_cuda_is_one_line_a_failure_and_writes_nothing(string device)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("geomatrix_rotated.tif", new SatSR.Geometry.Window(0, 0, 20, 20), Path.Combine(dir, "in.tif"));
        var console = new TestConsole();
        var error = new TestConsole();
        console.Profile.Width = error.Profile.Width = 4000;

        var exit = await SatsrApp.RunAsync(["upscale", input, Path.Combine(dir, "out.tif"), "--device", device], console, error);

        Assert.NotEqual(0, exit);
        var lines = error.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error.Output}");
        Assert.StartsWith($"error: --device {device} is not available: this ONNX Runtime build has only CPUExecutionProvider", lines[0]);
        Assert.Contains("SATSR_GPU=1", lines[0]);   // what to do about it
        Assert.Equal([input], Directory.GetFileSystemEntries(dir));   // no output, no OUTPUT.partial, no journal
    }
}
