using System.Runtime.CompilerServices;
using SatSR.Raster.Libc;

namespace SatSR.Training.Runtime;

/// <summary>
/// Settings LibTorch reads once, from the C environment, when it loads. OpenMP's idle threads spin by default, which
/// makes every step 3–7× slower as soon as another process wants a core; PASSIVE makes them sleep, at no cost on an
/// idle machine. Set as the assembly loads: before any torch call can load the native library.
/// </summary>
internal static class TorchRuntime
{
#pragma warning disable CA2255 // a module initializer is the one place guaranteed to run before the first torch call
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => CEnvironment.SetDefault("OMP_WAIT_POLICY", "PASSIVE");
}
