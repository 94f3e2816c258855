using System.Runtime.InteropServices;

namespace SatSR.Raster.Libc;

/// <summary>
/// The C library's environment, which native libraries read (getenv) when they start. .NET's
/// Environment.SetEnvironmentVariable does not reach it on Linux, so a setting for ONNX Runtime or LibTorch goes here.
/// </summary>
internal static partial class CEnvironment
{
    /// <summary>Sets <paramref name="name"/> unless it is set already: a value the user set on purpose wins.</summary>
    public static void SetDefault(string name, string value)
    {
        if (!OperatingSystem.IsWindows()) _ = SetEnv(name, value, 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
