using SatSR.Pipeline.Output;


namespace SatSR.Tests.Pipeline;

/// <summary>The resume fingerprint of an input too large to hash whole (over 3 MiB): it samples the file.</summary>
public class ResumeJournalTests
{
    private const int MiB = 1 << 20;

    /// <summary>
    /// An 8 MiB input rewritten with other bytes in one place, at the same length and with its time set back: the
    /// fingerprint changes for a change at the start, at the end, or across 2 MiB in the middle (more than the gap
    /// between evenly spread samples), and stays for an identical rewrite.
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(8 * MiB - 1, 1)]
    [InlineData(3 * MiB, 2 * MiB)]
    public void A_large_input_changed_in_one_place_gets_another_fingerprint(int offset, int count)
    {
        var dir = TestFiles.TempDir();
        var path = Path.Combine(dir, "big.bin");
        var bytes = new byte[8 * MiB];
        new Random(9).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var time = File.GetLastWriteTimeUtc(path);
        var options = TestModels.GeneralX4OnCpu(path, Path.Combine(dir, "out.tif"));
        var original = ResumeJournal.FingerprintOf(options, 4, ResumeJournal.Identify(path, []));

        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
        Assert.Equal(original, ResumeJournal.FingerprintOf(options, 4, ResumeJournal.Identify(path, [])));

        for (var i = offset; i < offset + count; i++) bytes[i] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, time);
        Assert.Equal((8L * MiB, time), (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path)));
        Assert.NotEqual(original, ResumeJournal.FingerprintOf(options, 4, ResumeJournal.Identify(path, [])));
    }
}
