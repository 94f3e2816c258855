using System.Diagnostics;

namespace SatSR.Tests;

/// <summary>Paths of the committed fixtures and fresh temporary folders.</summary>
public static class TestFiles
{
    private const string RootPrefix = "satsr-tests-";

    /// <summary>
    /// This test run's folder under the system temp folder; every <see cref="TempDir"/> lives in it, and it goes when the
    /// test process exits. Runs whose process died before that (killed) are swept by the next run.
    /// </summary>
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        SweepDeadRuns();
        var root = Path.Combine(Path.GetTempPath(), RootPrefix + Environment.ProcessId);
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);   // a recycled pid's leftovers
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(root);
        return root;
    });

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A new empty folder, unique to the caller, removed with the test run's folder.</summary>
    public static string TempDir() => Directory.CreateDirectory(Path.Combine(RunRoot.Value, Path.GetRandomFileName())).FullName;

    private static void SweepDeadRuns()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), RootPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(dir)[RootPrefix.Length..], out var pid) && pid != Environment.ProcessId && !IsAlive(pid))
            {
                DeleteQuietly(dir);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // A folder a test left mounted (tmpfs) or read-only must not fail the whole run at exit.
    private static void DeleteQuietly(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
