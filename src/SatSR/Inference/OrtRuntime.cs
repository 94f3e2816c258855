using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SatSR.Inference;

/// <summary>
/// Settings ONNX Runtime reads once, from the C environment, when it starts. Its Linux build (1.29 on) records
/// telemetry (a device id and queued events naming the program, under ~/.cache/Microsoft/DeveloperTools) and uploads it
/// when it can; a tool that reads a team's imagery must not report on it, so SatSR opts out as ONNX Runtime documents:
/// <c>ORT_DISABLE_TELEMETRY=1</c> before the first call. .NET's Environment.SetEnvironmentVariable does not reach the C
/// environment on Linux, so this calls libc's setenv as the assembly loads, before any call into ONNX Runtime.
/// </summary>
internal static partial class OrtRuntime
{
#pragma warning disable CA2255 // a module initializer is the one place guaranteed to run before the first ONNX Runtime call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        // overwrite = 0: a value the user set on purpose wins.
        if (!OperatingSystem.IsWindows()) _ = SetEnv("ORT_DISABLE_TELEMETRY", "1", 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
