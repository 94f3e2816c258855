using System.Buffers.Binary;
using System.Text;
using SatSR.Models;
using SatSR.Models.Pth;

namespace SatSR.Tests.Models;

public class PthCheckpointTests
{
    [Fact]
    public void Reads_every_dtype_and_layout_torch_saves()
    {
        var sd = PthCheckpoint.Load(PthFixtures.File("tensors.pth"));

        float[] Arange(Func<int, float> f, int n = 12) => [.. Enumerable.Range(0, n).Select(f)];
        Assert.Equal("tensors.pth", sd.File);
        Assert.Equal([3L, 4], sd["f32"].Shape);
        Assert.Equal(Arange(i => i), sd["f32"].Data);
        Assert.Equal(Arange(i => i / 8f), sd["f16"].Data);
        Assert.Equal(Arange(i => (float)(i / 3.0)), sd["f64"].Data);
        Assert.Equal(Arange(i => i / 4f), sd["bf16"].Data);
        Assert.Equal([5f, 6, 7, 8], sd["offset"].Data);                                  // a view at storage offset 5
        Assert.Equal([4L, 3], sd["transposed"].Shape);                                     // stride (1, 4): copied row-major
        Assert.Equal(Arange(i => i % 3 * 4 + i / 3), sd["transposed"].Data);
        Assert.Empty(sd["scalar"].Shape);
        Assert.Equal([2.5f], sd["scalar"].Data);
        Assert.Equal(7, sd.Count);                                                         // "epoch": 7 beside params_ema is not a tensor
    }

    [Fact]
    public void Unwraps_params_ema_and_strips_the_module_prefix()
    {
        Assert.Equal("conv_first.weight", PthCheckpoint.Load(PthFixtures.File("rrdbnet_x4.pth")).Keys.First());   // {'params_ema': sd}
        Assert.Equal("body.0.weight", PthCheckpoint.Load(PthFixtures.File("srvgg_x3.pth")).Keys.First());         // {'state_dict': {'module.…'}}
    }

    [Fact]
    public void A_stack_global_from_memoised_strings_is_resolved_and_refused()
    {
        using var folder = new TempFolder();
        // PROTO 4; "posix" MEMOIZE POP; "system" MEMOIZE POP; BINGET 0; BINGET 1; STACK_GLOBAL; "id"; TUPLE1; REDUCE; STOP.
        // (Python's pickler never pops its strings; HostileCheckpointTests has what it writes.)
        var pickle = Pickle([0x80, 4], ShortBinUnicode("posix"), [0x94, (byte)'0'], ShortBinUnicode("system"), [0x94, (byte)'0'],
            [(byte)'h', 0, (byte)'h', 1, 0x93], ShortBinUnicode("id"), [0x85, (byte)'R', (byte)'.']);

        var e = Assert.Throws<ModelException>(() => PthModel.Load(PthFixtures.Zip(folder.File("evil.pth"), ("x/data.pkl", pickle))));

        Assert.Equal("evil.pth: refused: the pickle calls the forbidden global 'posix.system' (SatSR loads only tensor checkpoints)", e.Message);
    }

    [Fact]
    public void A_stack_global_whose_operands_cannot_be_told_is_refused()
    {
        using var folder = new TempFolder();
        // The stack holds posix, system under two allowed strings that are popped again: the last two string pushes
        // name an allowed global, but STACK_GLOBAL would take posix.system.
        var pickle = Pickle([0x80, 4], ShortBinUnicode("posix"), ShortBinUnicode("system"), ShortBinUnicode("collections"),
            ShortBinUnicode("OrderedDict"), [(byte)'0', (byte)'0', 0x93], ShortBinUnicode("id"), [0x85, (byte)'R', (byte)'.']);

        var e = Assert.Throws<ModelException>(() => PthModel.Load(PthFixtures.Zip(folder.File("evil.pth"), ("archive/data.pkl", pickle))));

        Assert.Equal("evil.pth: refused: the pickle calls a STACK_GLOBAL whose module and name cannot be told before unpickling (SatSR loads only tensor checkpoints)", e.Message);
    }

    [Fact]
    public void A_protocol_4_stack_global_of_an_allowed_name_is_read()
    {
        using var folder = new TempFolder();
        // PROTO 4; "collections" MEMOIZE; "OrderedDict" MEMOIZE; STACK_GLOBAL; EMPTY_TUPLE; REDUCE; STOP: an empty OrderedDict
        var pickle = Pickle([0x80, 4], ShortBinUnicode("collections"), [0x94], ShortBinUnicode("OrderedDict"), [0x94, 0x93, (byte)')', (byte)'R', (byte)'.']);

        var e = Assert.Throws<ModelException>(() => PthCheckpoint.Load(PthFixtures.Zip(folder.File("empty.pth"), ("archive/data.pkl", pickle))));

        Assert.Equal("empty.pth: holds no tensors (an empty dict)", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 2, (byte)'R', (byte)'.' }, "bad.pth: the pickle is malformed (")]   // REDUCE on an empty stack
    [InlineData(new byte[] { 0x80, 2, 0xff, (byte)'.' }, "bad.pth: the pickle has an unknown opcode 0xff at byte 2")]
    [InlineData(new byte[] { 0x80, 2, (byte)'X', 9, 0, 0, 0, (byte)'a' }, "bad.pth: the pickle is truncated at byte 7")]
    public void A_broken_pickle_is_one_line_naming_the_file(byte[] pickle, string expected)
    {
        using var folder = new TempFolder();

        var e = Assert.Throws<ModelException>(() => PthCheckpoint.Load(PthFixtures.Zip(folder.File("bad.pth"), ("archive/data.pkl", pickle))));

        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_entry_pointing_outside_the_archive_is_refused()
    {
        using var folder = new TempFolder();
        var entries = PthFixtures.Entries("srvgg_x2.pth", (_, bytes) => bytes);
        var path = PthFixtures.Zip(folder.File("m.pth"), [.. entries, ("../../etc/cron.d/x", [1])]);

        var e = Assert.Throws<ModelException>(() => PthCheckpoint.Load(path));

        Assert.Equal("m.pth: refused: the archive entry '../../etc/cron.d/x' points outside the archive", e.Message);
    }

    [Fact]
    public void An_entry_claiming_more_than_2_GiB_is_refused_before_reading()
    {
        using var folder = new TempFolder();
        var path = PthFixtures.Zip(folder.File("bomb.pth"), ("archive/data.pkl", [0x80, 2, (byte)'.']), ("archive/data/0", new byte[16]));
        // Claim 3 GiB as the uncompressed size of data/0 in the central directory (offset 24 of its record).
        var bytes = File.ReadAllBytes(path);
        var central = bytes.AsSpan().LastIndexOf("PK\x01\x02"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 3u << 30);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelException>(() => PthCheckpoint.Load(path));

        Assert.Equal("bomb.pth: refused: the archive unpacks to more than 2 GiB in one entry (entry 'archive/data/0')", e.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(PthFixtures.File("srvgg_x2.pth"));
        File.WriteAllBytes(folder.File("cut.pth"), bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<ModelException>(() => PthModel.Load(folder.File("cut.pth")));

        Assert.StartsWith("cut.pth: is not a readable zip archive; truncated or corrupt?", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_storage_shorter_than_its_tensor_is_refused()
    {
        using var folder = new TempFolder();
        // data/0 holds body.0.weight, 16×3×3×3 = 432 floats; keep half of them.
        var entries = PthFixtures.Entries("srvgg_x2.pth", (name, bytes) => name.EndsWith("/data/0") ? bytes[..(bytes.Length / 2)] : bytes);

        var e = Assert.Throws<ModelException>(() => PthModel.Load(PthFixtures.Zip(folder.File("short.pth"), entries)));

        Assert.Equal("short.pth: tensor 'body.0.weight' needs 432 values but its storage holds 216", e.Message);
    }

    [Fact]
    public void A_legacy_checkpoint_is_told_apart_from_a_broken_one()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("old.pth"), [0x80, 2, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);

        var e = Assert.Throws<ModelException>(() => PthModel.Load(folder.File("old.pth")));

        Assert.Equal("old.pth: is a legacy (pre-1.6) PyTorch checkpoint; load it in PyTorch and torch.save it again", e.Message);
    }

    private static byte[] Pickle(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] ShortBinUnicode(string s) => [0x8c, (byte)Encoding.UTF8.GetByteCount(s), .. Encoding.UTF8.GetBytes(s)];
}
