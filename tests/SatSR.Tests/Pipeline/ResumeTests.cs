using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SatSR.Geometry;
using SatSR.Pipeline;

namespace SatSR.Tests.Pipeline;

/// <summary>An interrupted job continues with --resume and gives the pixels an uninterrupted run gives.</summary>
public partial class ResumeTests
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

    [Fact]
    public async Task Pixels_are_on_disk_before_the_journal_records_them()
    {
        // The journal's temp file is a FIFO whose pipe the test has filled: the job opens it and then blocks writing
        // the first record, so the partial file can be copied at exactly that moment. Whatever the journal says is
        // done must already be in that copy, or a kill there resumes past rows that were never written.
        var dir = TestFiles.TempDir();
        var fifo = -1;
        Task<UpscaleResult>? job = null;
        try
        {
            var output = Path.Combine(dir, "out.tif");
            var temp = output + ".partial.journal.tmp";
            Assert.Equal(0, MkFifo(temp, 0b110_000_000)); // rw-------
            fifo = Open(temp, ORdWr | ONonBlock);
            Assert.True(fifo >= 0, $"open {temp}: errno {Marshal.GetLastPInvokeError()}");
            var filler = new byte[4096];
            long filled = 0;
            for (long n; (n = Write(fifo, filler, filler.Length)) > 0;) filled += n;

            job = Task.Run(() => Upscaler.Run(Options(Input(dir, 32), output)));
            var clock = Stopwatch.StartNew();
            while (OpenCount(temp) < 2)
            {
                if (job.IsCompleted) Assert.Fail($"the job ended without recording progress: {job.Exception?.GetBaseException().Message}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "no progress");
                Thread.Sleep(5);
            }
            var snapshot = Path.Combine(dir, "snapshot.tif");
            File.Copy(output + ".partial", snapshot);

            using var record = JsonDocument.Parse(Drain(fifo, filled, job));
            var result = await job;
            var final = TestRasters.ReadAll(result.OutputPath, out var profile);
            var rows = record.RootElement.GetProperty("RowsDone").GetInt32();
            Assert.Equal(0, record.RootElement.GetProperty("Chunk").GetInt32());
            Assert.InRange(rows, 1, profile.Height);
            var durable = rows * profile.Width;
            Assert.Equal(final[..durable], TestRasters.ReadAll(snapshot, out _)[..durable]);
        }
        finally
        {
            // Closing the only reader fails the job's blocked write (EPIPE) if the test stopped before draining.
            if (fifo >= 0) Close(fifo);
            if (job is not null) await Task.WhenAny(job);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>How many of this process's file descriptors are open on <paramref name="path"/>.</summary>
    private static int OpenCount(string path) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // closed while listed
            }
        });

    /// <summary>Reads the <paramref name="filled"/> bytes the test put in the pipe, then the job's record, whole.</summary>
    private static string Drain(int fifo, long filled, Task job)
    {
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var n = Read(fifo, buffer, buffer.Length);
            if (n > 0)
            {
                bytes.AddRange(buffer.AsSpan(0, (int)n));
                continue;
            }
            if (bytes.Count > filled)
            {
                var text = Encoding.UTF8.GetString(bytes.ToArray(), (int)filled, bytes.Count - (int)filled);
                if (text.EndsWith('}')) return text;
            }
            if (job.IsCompleted) Assert.Fail($"the job ended before its record was read: {job.Exception?.GetBaseException().Message}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "no record");
            Thread.Sleep(1);
        }
    }

    private const int ORdWr = 2, ONonBlock = 0x800;

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

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
