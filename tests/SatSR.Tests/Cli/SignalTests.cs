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

    /// <summary>
    /// <c>satsr train</c> runs the trainer as a child process. A signal sent to satsr alone (<c>kill PID</c>, a
    /// supervisor that signals one process) must reach the trainer: it saves a checkpoint and exits, and its exit code
    /// is satsr's. Otherwise satsr ends with 143 (or ignores SIGINT) and the trainer goes on training with no one waiting.
    /// </summary>
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_to_satsr_train_reaches_the_trainer_which_keeps_a_checkpoint(string signal)
    {
        Assert.False(signal == "INT" && IgnoresSigInt(),
            "this test process ignores SIGINT (started in the background of a shell script), and so would satsr: run the tests in the foreground");
        var dir = TestFiles.TempDir();
        var output = Path.Combine(dir, "mine.pth");
        // 2,000 steps of a tiny network: a trainer the signal missed ends by itself (exit 0, a finished model) in seconds
        // to minutes, so the test fails on its assertions rather than on the hang guard.
        var start = SatsrProcess.Start(["train", TestFiles.Fixture("cbers2b_pan_town_256.tif"), "--base", TestFiles.Fixture("models/pth/srvgg_x4.pth"),
            "-o", output, "--steps", "2000", "--batch", "1", "--patch", "32", "--every", "2000", "--log-every", "1"]);
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        // The first `satsr train` builds the trainer: no compiler server or build nodes that would outlive the test.
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var cli = Process.Start(start)!;
        try
        {
            var stderr = cli.StandardError.ReadToEndAsync();
            // Only a guard against a hang, far above any load (the build of the trainer included).
            using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            // The first step's line: the trainer is training, and satsr is waiting for it.
            string? line;
            do
            {
                line = await cli.StandardOutput.ReadLineAsync(hang.Token);
                if (line is null) Assert.Fail($"satsr train ended before its first step: {await stderr}");
            }
            while (!line.StartsWith("step 1/", StringComparison.Ordinal));
            // The trainer prints a line a step: read on, or a full pipe would stop it.
            var stdout = cli.StandardOutput.ReadToEndAsync();

            Assert.Equal(0, Kill(cli.Id, signal == "INT" ? SigInt : SigTerm));
            await cli.WaitForExitAsync(hang.Token);

            // A trainer still running holds the output pipes open: it is found and stopped before they are read.
            var left = TrainersOf(output);
            foreach (var trainer in left) trainer.Kill();
            Assert.True(left.Count == 0, "the trainer was still running after satsr train exited");
            Assert.Equal(130, cli.ExitCode);
            // Its last line: the first `satsr train` says before it that it builds the trainer.
            Assert.StartsWith("cancelled", (await stderr).Trim().Split('\n')[^1]);
            Assert.DoesNotContain("wrote", await stdout);
            Assert.True(File.Exists(output + ".checkpoint"), "no checkpoint after the signal");
            Assert.False(File.Exists(output), "a finished model after a cancelled run");
        }
        finally
        {
            if (!cli.HasExited) cli.Kill();
            foreach (var trainer in TrainersOf(output)) trainer.Kill();
        }
    }

    /// <summary>Processes whose command line names <paramref name="output"/>: the trainer writing it.</summary>
    private static List<Process> TrainersOf(string output)
    {
        var found = new List<Process>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), System.Globalization.CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                if (File.ReadAllText($"{entry}/cmdline").Contains(output, StringComparison.Ordinal)) found.Add(Process.GetProcessById(pid));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // The process ended meanwhile.
            }
        }
        return found;
    }
}
