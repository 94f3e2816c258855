using System.Diagnostics;
using System.Runtime.InteropServices;
using SatSR.Cli;

namespace SatSR.Tests.Cli;

/// <summary>
/// Ctrl-C and SIGTERM stop a run cleanly: the built CLI runs as a child process, gets the signal while it infers,
/// and must exit with 130, leaving nothing at the final output path and the partial output for --resume. Nothing here
/// is timed: the signal comes at a mark the run makes itself, and a run that ignored it would write its output.
/// </summary>
public partial class SignalTests
{
    private const int SigInt = 2, SigTerm = 15;

    // libc's kill(2) itself: the test needs no procps on the machine.
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Whether SIGINT is ignored here: the SigIgn mask of /proc/self/status, bit 1 for signal 2.</summary>
    private static bool IgnoresSigInt()
    {
        var mask = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(mask, 16) & (1UL << (SigInt - 1))) != 0;
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_stops_the_run_with_130_and_no_final_file(string signal)
    {
        // Otherwise the CLI inherits the ignoring, and this would fail only after minutes of inference.
        Assert.False(signal == "INT" && IgnoresSigInt(),
            "this test process ignores SIGINT (started in the background of a shell script), and so would satsr: run the tests in the foreground");
        var dir = TestFiles.TempDir();
        // 4096² pixels (the town stretched by a VRT): minutes of inference even on a fast CPU, so the run is surely
        // still going when the signal comes.
        var input = Path.Combine(dir, "big.vrt");
        File.WriteAllText(input, $"""
            <VRTDataset rasterXSize="4096" rasterYSize="4096">
              <VRTRasterBand dataType="Byte" band="1">
                <SimpleSource>
                  <SourceFilename relativeToVRT="0">{TestFiles.Fixture("cbers2b_pan_town_256.tif")}</SourceFilename>
                  <SourceBand>1</SourceBand>
                  <SrcRect xOff="0" yOff="0" xSize="256" ySize="256" />
                  <DstRect xOff="0" yOff="0" xSize="4096" ySize="4096" />
                </SimpleSource>
              </VRTRasterBand>
            </VRTDataset>
            """);
        var output = Path.Combine(dir, "out.tif");

        var start = SatsrProcess.Start(["upscale", input, output, "--device", "cpu"]);
        start.RedirectStandardInput = true;
        // The run makes this file when its first tile is blended (SATSR_TEST_MARK_AT) and goes on inferring the rest of
        // its 4096² pixels: the signal comes then, whatever the machine's load, instead of after a guessed delay.
        var mark = Path.Combine(dir, "first-tile");
        start.Environment["SATSR_TEST_MARK_AT"] = "tile:1";
        start.Environment["SATSR_TEST_MARK_FILE"] = mark;
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var cli = Process.Start(start)!;
        try
        {
            var stdout = cli.StandardOutput.ReadToEndAsync();
            var stderr = cli.StandardError.ReadToEndAsync();
            while (!File.Exists(mark))
            {
                if (cli.HasExited) Assert.Fail($"the CLI ended before its first tile: {await stderr}");
                await Task.Delay(50);
            }
            Assert.False(cli.HasExited, "the run finished before the signal; the input is too small to test this");

            Assert.Equal(0, Kill(cli.Id, signal == "INT" ? SigInt : SigTerm));
            // Only a guard against a hang, far above any load: the run stops within a tile.
            using (var hang = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
            {
                await cli.WaitForExitAsync(hang.Token);
            }

            Assert.Equal(130, cli.ExitCode);
            var message = (await stderr).Trim();
            Assert.StartsWith("cancelled", message);
            Assert.Contains("--resume", message);
            Assert.True(File.Exists(output + ".partial"), "the partial output was not kept for --resume");
            Assert.DoesNotContain("wrote", await stdout);
            Assert.False(File.Exists(output), "a file at the final path after a cancelled run");
        }
        finally
        {
            if (!cli.HasExited) cli.Kill();
        }
    }
}
