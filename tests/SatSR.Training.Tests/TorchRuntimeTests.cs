using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SatSR.Training.Tests;

public partial class TorchRuntimeTests
{
    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetEnv(string name);

    /// <summary>The build step weakened libLibTorchSharp.so's GLIBCXX_3.4.32 requirement; without it Debian 12 cannot load it.</summary>
    [Fact]
    public void LibTorch_loads_and_computes()
    {
        using var sum = ones(2).sum();
        Assert.Equal(2f, sum.item<float>());
    }

    /// <summary>
    /// OpenMP reads its wait policy from the C environment (not .NET's copy): once the trainer's own code has made a
    /// network (its assembly's initializer runs before any of its code), libc's getenv must see PASSIVE.
    /// </summary>
    [Fact]
    public void OpenMP_wait_policy_is_passive_in_the_C_environment()
    {
        using var _ = TrainingFixtures.TinySrvgg.Create();
        var value = GetEnv("OMP_WAIT_POLICY");
        Assert.NotEqual(0, value);
        Assert.Equal("PASSIVE", Marshal.PtrToStringUTF8(value));
    }
}
