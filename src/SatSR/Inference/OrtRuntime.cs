using System.Runtime.CompilerServices;
using SatSR.Raster.Libc;

namespace SatSR.Inference;

/// <summary>
/// Settings ONNX Runtime reads once, from the C environment, when it starts. Its Linux build (1.29 on) records
/// telemetry (a device id and queued events naming the program, under ~/.cache/Microsoft/DeveloperTools) and uploads it
/// when it can; a tool that reads a team's imagery must not report on it, so SatSR opts out as ONNX Runtime documents:
/// <c>ORT_DISABLE_TELEMETRY=1</c>, set as the assembly loads, before any call into ONNX Runtime.
/// </summary>
internal static class OrtRuntime
{
#pragma warning disable CA2255 // a module initializer is the one place guaranteed to run before the first ONNX Runtime call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => CEnvironment.SetDefault("ORT_DISABLE_TELEMETRY", "1");
}
