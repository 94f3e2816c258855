using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Models.Pth;

namespace SatSR.Tests.Models;

/// <summary>
/// Checkpoints made by torch.save that attack the loader (Fixtures/models/pth/hostile, written by
/// tools/fixtures/make_hostile_checkpoints.py; PyTorch's own torch.load runs the global ones' payload). SatSR never runs
/// Python, so a payload could not run here anyway: what these tests pin is that the pickle is refused before
/// unpickling, by the scanner, naming the global, and that allowed globals called with forged arguments fail
/// as one line instead of crashing or allocating what the file does not hold.
/// </summary>
public class HostileCheckpointTests
{
    private static string Fixture(string name) => PthFixtures.File(Path.Combine("hostile", name));

    [Fact]
    public void The_allow_list_is_exactly_the_globals_a_tensor_checkpoint_needs()
    {
        // What torch.save writes for a state dict of float tensors, and nothing that can run anything else.
        string[] expected =
        [
            "collections.OrderedDict",
            "torch.BFloat16Storage",
            "torch.DoubleStorage",
            "torch.FloatStorage",
            "torch.HalfStorage",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_tensor_v2",
        ];

        Assert.Equal(expected, SafeUnpickler.Allowed.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Protocol 2 (torch.save's default) names each global with a GLOBAL opcode, and writes Python 3 names as
    /// Python 2's (builtins → __builtin__, subprocess → commands), which torch.load maps back; protocol 4 pushes the
    /// two strings and calls STACK_GLOBAL. Each file holds a real tensor first, so allowed globals come before the attack.
    /// </summary>
    [Theory]
    [InlineData("os.system", 2, "os.system")]
    [InlineData("os.system", 4, "os.system")]
    [InlineData("posix.system", 2, "posix.system")]
    [InlineData("posix.system", 4, "posix.system")]
    [InlineData("nt.system", 2, "nt.system")]
    [InlineData("nt.system", 4, "nt.system")]
    [InlineData("builtins.eval", 2, "__builtin__.eval")]
    [InlineData("builtins.eval", 4, "builtins.eval")]
    [InlineData("builtins.exec", 2, "__builtin__.exec")]
    [InlineData("builtins.exec", 4, "builtins.exec")]
    [InlineData("builtins.getattr", 2, "__builtin__.getattr")]   // getattr(__import__('os'), 'system'): getattr comes first
    [InlineData("builtins.getattr", 4, "builtins.getattr")]
    [InlineData("builtins.__import__", 2, "__builtin__.__import__")]
    [InlineData("builtins.__import__", 4, "builtins.__import__")]
    [InlineData("subprocess.Popen", 2, "commands.Popen")]
    [InlineData("subprocess.Popen", 4, "subprocess.Popen")]
    [InlineData("runpy._run_code", 2, "runpy._run_code")]
    [InlineData("runpy._run_code", 4, "runpy._run_code")]
    [InlineData("torch.load", 2, "torch.load")]
    [InlineData("torch.load", 4, "torch.load")]
    [InlineData("torch.serialization.load", 2, "torch.serialization.load")]   // what pickle writes for torch.load itself
    [InlineData("torch.serialization.load", 4, "torch.serialization.load")]
    public void A_checkpoint_calling_a_dangerous_global_is_refused_naming_it(string attack, int protocol, string global)
    {
        var file = $"global-{attack}-p{protocol}.pth";

        var e = Assert.Throws<ModelException>(() => ModelLoader.Load(Fixture(file)));

        Assert.Equal($"{file}: refused: the pickle calls the forbidden global '{global}' (SatSR loads only tensor checkpoints)", e.Message);
    }

    /// <summary>REDUCE on allowed globals with arguments no real tensor has: each is one line naming the file and the problem.</summary>
    [Theory]
    [InlineData("not-a-storage", "the pickle is malformed (_rebuild_tensor_v2 needs (storage, offset, size, stride, …))")]
    [InlineData("size-stride-mismatch", "the pickle is malformed (_rebuild_tensor_v2 needs (storage, offset, size, stride, …))")]
    [InlineData("negative-stride", "the pickle is malformed (a tensor with a negative offset, size or stride)")]
    [InlineData("huge-size", "the pickle is malformed (a tensor of 1099511627776 values)")]                     // 2^40
    [InlineData("overflowing-size", "the pickle is malformed (Arithmetic operation resulted in an overflow.)")]   // 2^96
    [InlineData("offset-past-storage", "tensor 'conv.bias' needs 1004 values but its storage holds 4")]          // 1000 + 4
    [InlineData("parameter-of-a-string", "the pickle is malformed (_rebuild_parameter needs a tensor)")]
    [InlineData("storage-type-called", "the pickle is malformed (a storage type cannot be called)")]
    public void An_allowed_global_called_with_forged_arguments_is_one_line_naming_the_file(string forged, string problem)
    {
        var file = $"forged-{forged}.pth";

        var e = Assert.Throws<ModelException>(() => ModelLoader.Load(Fixture(file)));

        Assert.Equal($"{file}: {problem}", e.Message);
    }

    [Fact]
    public void A_stride_0_view_of_a_one_element_storage_is_refused_rather_than_blown_up()
    {
        // torch.zeros(1).expand(64, 64, 3, 3): strides (0, 0, 0, 0) over 1 stored value, 36,864 values as a tensor.
        var e = Assert.Throws<ModelException>(() => ModelLoader.Load(Fixture("stride0-expand.pth")));

        Assert.Equal("stride0-expand.pth: tensor 'conv.weight' needs 36864 values but its storage holds 1", e.Message);
    }
}
