using System.Diagnostics;

namespace SatSR.Pipeline;

/// <summary>
/// A fault-injection point for tests. With <c>SATSR_TEST_KILL_AT=POINT:K</c> in the environment the process kills
/// itself (SIGKILL: nothing is cleaned up, as with <c>kill -9</c>) right after the K-th time it passes POINT, so a
/// test interrupts a run at an exact durable step instead of racing it. Unset, as outside the tests, it does nothing.
/// </summary>
internal static class KillPoint
{
    /// <summary>After the model is loaded, before anything is written.</summary>
    public const string Loaded = "loaded";

    /// <summary>After the journal's first entry (nothing done yet) is in place, before the partial file is made.</summary>
    public const string Begin = "begin";

    /// <summary>After the partial file is made, before any pixel is written to it.</summary>
    public const string Created = "created";

    /// <summary>After the resume journal records a point (its file is in place).</summary>
    public const string Record = "record";

    /// <summary>After the <c>--outscale</c> resample pass writes an output piece.</summary>
    public const string Resample = "resample";

    /// <summary>At each report of GDAL's progress while it builds the overviews (of an upscale or a merge).</summary>
    public const string Overviews = "overviews";

    /// <summary>At each report of GDAL's progress while it copies the streamed GeoTIFF to a COG.</summary>
    public const string Copy = "copy";

    /// <summary>After <c>merge</c> copies a piece of a part into its output.</summary>
    public const string Merge = "merge";

    private static readonly string? Target = Environment.GetEnvironmentVariable("SATSR_TEST_KILL_AT");
    private static readonly Dictionary<string, int> Passed = [];

    public static void Pass(string point)
    {
        if (Target is null) return;
        lock (Passed)
        {
            Passed[point] = Passed.GetValueOrDefault(point) + 1;
            if (Target == $"{point}:{Passed[point]}") Process.GetCurrentProcess().Kill();
        }
    }
}
