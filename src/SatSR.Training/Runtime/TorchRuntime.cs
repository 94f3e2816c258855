using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SatSR.Training.Runtime;

/// <summary>
/// Settings LibTorch reads once, from the C environment, when it loads. OpenMP's idle threads spin by default, which
/// makes every step 3–7× slower as soon as another process wants a core; PASSIVE makes them sleep, at no cost on an
/// idle machine. .NET's Environment.SetEnvironmentVariable does not reach the C environment on Linux, so this calls
/// libc's setenv, as the assembly loads: before any torch call can load the native library.
/// </summary>
internal static partial class TorchRuntime
{
#pragma warning disable CA2255 // a module initializer is the one place guaranteed to run before the first torch call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        // overwrite = 0: a value the user set on purpose wins.
        if (!OperatingSystem.IsWindows()) _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
