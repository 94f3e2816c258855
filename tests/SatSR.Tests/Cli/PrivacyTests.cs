namespace SatSR.Tests.Cli;

/// <summary>What a run leaves outside the paths it was given.</summary>
public class PrivacyTests
{
    [Fact]
    public async Task An_upscale_leaves_no_ONNX_Runtime_device_id_or_telemetry_queue_in_the_home_folder()
    {
        var dir = TestFiles.TempDir();
        var home = Directory.CreateDirectory(Path.Combine(dir, "home")).FullName;
        var model = TestModels.WritePixelRepeatX4(dir);

        // ONNX Runtime's store lives under $HOME/.cache (or $XDG_CACHE_HOME): both point into the empty folder, and
        // no setting of the caller's own opts out for it.
        var (exit, output) = await SatsrProcess.Run(
            ["upscale", TestFiles.Fixture("cbers2b_pan_town_256.tif"), Path.Combine(dir, "out.tif"), "--device", "cpu", "--model", model, "--overviews", "none"],
            environment: new Dictionary<string, string?> { ["HOME"] = home, ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"), ["ORT_DISABLE_TELEMETRY"] = null });

        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(dir, "out.tif")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories));
    }
}
