using System.Diagnostics;

namespace SatSR.Pipeline;

/// <summary>
/// A fault-injection point for tests. With <c>SATSR_TEST_KILL_AT=POINT:K</c> in the environment the process kills
/// itself (SIGKILL: nothing is cleaned up, as with <c>kill -9</c>) right after the K-th time it passes POINT, so a
/// test interrupts a run at an exact durable step instead of racing it. Unset, as outside the tests, it does nothing.
/// </summary>
internal static class KillPoint
{
    /// <summary>After the resume journal records a point (its file is in place).</summary>
    public const string Record = "record";

    /// <summary>After the <c>--outscale</c> resample pass writes an output piece.</summary>
    public const string Resample = "resample";

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
