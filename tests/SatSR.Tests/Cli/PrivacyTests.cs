using System.Diagnostics;

namespace SatSR.Tests.Cli;

/// <summary>What a run leaves outside the paths it was given.</summary>
public class PrivacyTests
{
    [Fact]
    public async Task An_upscale_leaves_no_ONNX_Runtime_device_id_or_telemetry_queue_in_the_home_folder()
    {
        var dir = TestFiles.TempDir();
        var home = Directory.CreateDirectory(Path.Combine(dir, "home")).FullName;
        var g = new SatSR.Models.Onnx.OnnxGraphBuilder("nearest-x4");
        g.ResizeNearest(g.Input("input", 3), 4, "output");
        g.Output("output", 3);
        var model = Path.Combine(dir, "nearest-x4.onnx");
        File.WriteAllBytes(model, g.ToBytes());

        var start = SatsrProcess.Start(["upscale", TestFiles.Fixture("cbers2b_pan_town_256.tif"), Path.Combine(dir, "out.tif"),
            "--device", "cpu", "--model", model, "--overviews", "none"]);
        // ONNX Runtime's store lives under $HOME/.cache (or $XDG_CACHE_HOME): both point into the empty folder, and
        // no setting of the caller's own opts out for it.
        start.Environment["HOME"] = home;
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        start.Environment.Remove("ORT_DISABLE_TELEMETRY");
        using var cli = Process.Start(start)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();

        Assert.True(cli.ExitCode == 0, error + await output);
        Assert.True(File.Exists(Path.Combine(dir, "out.tif")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories));
    }
}
