using System.Diagnostics;
using System.Text.Json;
using SatSR.Geometry;
using SatSR.Pipeline;

namespace SatSR.Tests.Pipeline;

/// <summary>An interrupted job continues with --resume and gives the pixels an uninterrupted run gives.</summary>
public class ResumeTests
{
    // Small blocks and tiles so a tiny input still has many durable steps to interrupt between.
    private static readonly Dictionary<string, string> SmallBlocks = new() { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" };

    private static UpscaleOptions Options(string input, string output) => new()
    {
        InputPath = input,
        OutputPath = output,
        Model = TestModels.GeneralX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
        TileSize = 16,
        Overlap = 8,
        CreationOptions = SmallBlocks,
    };

    private static string Input(string dir, int size = 48) =>
        TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(0, 0, size, size), Path.Combine(dir, "in.tif"));

    /// <summary>Cancels the job, synchronously, once <paramref name="tiles"/> tiles are done.</summary>
    private sealed class CancelAfter(int tiles, CancellationTokenSource cts) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            if (value.TilesDone >= tiles) cts.Cancel();
        }
    }

    private static void Interrupt(UpscaleOptions options, int tiles)
    {
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Run(options, new CancelAfter(tiles, cts), cts.Token));
        Assert.False(File.Exists(options.OutputPath));
        Assert.True(File.Exists(options.OutputPath + ".partial"));
        Assert.True(File.Exists(options.OutputPath + ".partial.journal"));
    }

    [Fact]
    public void Interrupted_twice_then_resumed_gives_identical_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir, 96);
        var reference = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "reference.tif"))).OutputPath, out _);

        var output = Path.Combine(dir, "out.tif");
        Interrupt(Options(input, output), tiles: 14);
        Interrupt(Options(input, output) with { Resume = true }, tiles: 26);
        var result = Upscaler.Run(Options(input, output) with { Resume = true });

        Assert.True(result.TilesInferred < 24, $"the resumed run inferred {result.TilesInferred} of 36 tiles");
        Assert.Equal(reference, TestRasters.ReadAll(output, out _));
        Assert.Equal(["in.tif", "out.tif", "reference.tif"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_leftover_partial_output_is_reported_with_the_hint_to_resume()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var output = Path.Combine(dir, "out.tif");
        Interrupt(Options(input, output), tiles: 3);
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(Options(input, output)));
        Assert.Contains("--resume", e.Message);
        Assert.True(File.Exists(output + ".partial"));
    }

    [Fact]
    public void Resuming_with_other_options_is_refused_and_reuses_nothing()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir);
        var output = Path.Combine(dir, "out.tif");
        Interrupt(Options(input, output), tiles: 3);
        var partial = File.ReadAllBytes(output + ".partial");
        var e = Assert.Throws<InvalidOptionsException>(() => Upscaler.Run(Options(input, output) with { Resume = true, Overlap = 4 }));
        Assert.Contains("cannot resume", e.Message);
        Assert.Equal(partial, File.ReadAllBytes(output + ".partial"));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Killed_with_SIGKILL_at_several_points_and_resumed_gives_identical_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = Input(dir, 96);
        var reference = TestRasters.ReadAll(Upscaler.Run(Options(input, Path.Combine(dir, "reference.tif"))).OutputPath, out _);
        var output = Path.Combine(dir, "out.tif");
        var journal = output + ".partial.journal";
        string[] args = ["upscale", input, output, "--tile", "16", "--overlap", "8", "--co", "BLOCKXSIZE=16", "--co", "BLOCKYSIZE=16", "--device", "cpu"];

        // Kill after the journal records 64, then 192 output rows (different windows), then let it finish.
        foreach (var rows in new[] { 64, 192 })
        {
            using var child = StartCli(File.Exists(journal) ? [.. args, "--resume"] : args);
            var clock = Stopwatch.StartNew();
            while (RowsDone(journal) < rows)
            {
                if (child.HasExited) Assert.Fail($"exited ({child.ExitCode}) before the kill point: {child.StandardOutput.ReadToEnd()} {child.StandardError.ReadToEnd()}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "no progress");
                Thread.Sleep(5);
            }
            child.Kill(); // SIGKILL on Unix: no chance to clean up
            child.WaitForExit();
            Assert.False(File.Exists(output));
        }
        using (var last = StartCli([.. args, "--resume"]))
        {
            last.WaitForExit();
            Assert.True(last.ExitCode == 0, last.StandardError.ReadToEnd());
        }
        Assert.Equal(reference, TestRasters.ReadAll(output, out _));
        Assert.False(File.Exists(journal));
    }

    private static int RowsDone(string journal)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(journal));
            return doc.RootElement.GetProperty("RowsDone").GetInt32();
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return -1;
        }
    }

    private static Process StartCli(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(typeof(SatSR.Cli.SatsrApp).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }
}
