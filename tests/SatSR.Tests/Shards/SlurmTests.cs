using System.Diagnostics;
using System.Text.RegularExpressions;
using SatSR.Pipeline;
using Xunit.Abstractions;

namespace SatSR.Tests.Shards;

/// <summary>The job `satsr plan --slurm` writes, run on a real (local, one-node) Slurm.</summary>
public partial class SlurmTests(ITestOutputHelper log)
{
    /// <summary>
    /// `bash FILE` submits the array of 3 shards and the merge that depends on it (afterok); the merged output equals
    /// the unsplit run. The wall time (cluster start to merged file) is the figure in docs/SCALE-OUT.md.
    /// </summary>
    [Fact]
    public async Task A_Slurm_array_of_three_shards_written_by_plan_then_its_merge_equals_one_run()
    {
        var dir = TestFiles.TempDir();
        var input = ShardTests.Input(dir);
        var reference = Upscaler.Run(ShardTests.Reference(input, Path.Combine(dir, "reference.tif"))).OutputPath;
        var output = Path.Combine(dir, "out.tif");
        var script = Path.Combine(dir, "out.sbatch");
        var (planned, text) = await SatsrProcess.Run(["plan", input, output, "--shards", "3", "--slurm", script, "--", .. ShardTests.UpscaleArgs(input, output, null)[3..]]);
        Assert.True(planned == 0, text);

        var clock = Stopwatch.StartNew();
        using (var slurm = LocalSlurm.Start(Path.Combine(dir, "slurm")))
        {
            var (exit, submitted) = slurm.Run("bash", script);
            Assert.True(exit == 0, submitted);
            var ids = Submitted().Match(submitted);
            Assert.True(ids.Success, submitted);
            slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(4));
            var shards = slurm.Run("scontrol", "show", "job", "-o", ids.Groups[1].Value).Output;
            Assert.Equal(3, JobState().Matches(shards).Count(m => m.Groups[1].Value == "COMPLETED"));
            Assert.Equal("COMPLETED", JobState().Match(slurm.Run("scontrol", "show", "job", "-o", ids.Groups[2].Value).Output).Groups[1].Value);
        }
        log.WriteLine($"cluster start, 3 shards and merge: {clock.Elapsed.TotalSeconds:F1} s");
        ShardTests.AssertSameOutput(reference, output);
        Assert.False(Directory.Exists(Path.Combine(dir, "slurm")));
    }

    [GeneratedRegex(@"submitted shards as job ([0-9]+), merge as job ([0-9]+)")]
    private static partial Regex Submitted();

    [GeneratedRegex(@"JobState=([A-Z_]+)")]
    private static partial Regex JobState();
}
