using System.Diagnostics;

namespace SatSR.Pipeline.Output;

/// <summary>
/// A fault-injection point for tests. With <c>SATSR_TEST_KILL_AT=POINT:K</c> in the environment the process kills
/// itself (SIGKILL: nothing is cleaned up, as with <c>kill -9</c>) right after the K-th time it passes POINT, so a
/// test interrupts a run at an exact durable step instead of racing it. <c>SATSR_TEST_MARK_AT=POINT:K</c> makes the
/// file <c>SATSR_TEST_MARK_FILE</c> there instead and goes on, and <c>SATSR_TEST_HOLD_AT=POINT:K</c> makes it and stops
/// there until killed, so a test acts (signals, starts a second copy) when the run is surely at that step, not after
/// a guessed delay. Unset, as outside the tests, it does nothing.
/// </summary>
internal static class KillPoint
{
    /// <summary>After the model is loaded, before anything is written.</summary>
    public const string Loaded = "loaded";

    /// <summary>After the journal's first entry (nothing done yet) is in place, before the partial file is made.</summary>
    public const string Begin = "begin";

    /// <summary>After the partial file is made, before any pixel is written to it.</summary>
    public const string Created = "created";

    /// <summary>After a tile's output is blended into the strip (in memory; not yet durable).</summary>
    public const string Tile = "tile";

    /// <summary>After the resume journal records a point (its file is in place).</summary>
    public const string Record = "record";

    /// <summary>After the <c>--outscale</c> resample pass writes an output piece.</summary>
    public const string Resample = "resample";

    /// <summary>At each piece a resumed upscale reads back for its overviews.</summary>
    public const string Overviews = "overviews";

    /// <summary>At each report of GDAL's progress while it copies the streamed GeoTIFF to a COG.</summary>
    public const string Copy = "copy";

    /// <summary>After <c>merge</c> copies a piece of a part into its output.</summary>
    public const string Merge = "merge";

    private static readonly string? Kill = Environment.GetEnvironmentVariable("SATSR_TEST_KILL_AT");
    private static readonly string? Mark = Environment.GetEnvironmentVariable("SATSR_TEST_MARK_AT");
    private static readonly string? Hold = Environment.GetEnvironmentVariable("SATSR_TEST_HOLD_AT");
    private static readonly Dictionary<string, int> Passed = [];

    public static void Pass(string point)
    {
        if (Kill is null && Mark is null && Hold is null) return;
        lock (Passed)
        {
            Passed[point] = Passed.GetValueOrDefault(point) + 1;
            var here = $"{point}:{Passed[point]}";
            if (Kill == here) Process.GetCurrentProcess().Kill();
            if (Mark != here && Hold != here) return;
            File.WriteAllText(Environment.GetEnvironmentVariable("SATSR_TEST_MARK_FILE")!, here);
            // Holding the lock too: no other thread passes a point while this one waits to be killed.
            if (Hold == here) Thread.Sleep(Timeout.Infinite);
        }
    }
}
