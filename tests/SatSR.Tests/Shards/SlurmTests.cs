using System.Diagnostics;
using System.Text.RegularExpressions;
using SatSR.Pipeline;
using Xunit.Abstractions;

namespace SatSR.Tests.Shards;

/// <summary>The job `satsr plan --slurm` writes, run on a real (local, one-node) Slurm.</summary>
public partial class SlurmTests(ITestOutputHelper log)
{
    /// <summary>
    /// The script of `satsr plan --slurm`, submitted the conventional way (`sbatch FILE`) or run (`bash FILE`, which
    /// submits it): the array of 3 shards ends in the merged output, equal to the unsplit run, merged by exactly one
    /// task (the one log with merge's "wrote" line) while the others find a part missing or the output merged. The wall
    /// time (cluster start to merged file) is the figure in docs/SCALE-OUT.md.
    /// </summary>
    [Theory]
    [InlineData("sbatch")]
    [InlineData("bash")]
    public async Task A_Slurm_array_of_three_shards_written_by_plan_ends_in_the_merge_of_one_run(string submit)
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
            var (exit, submitted) = submit == "sbatch" ? slurm.Run("sbatch", "--parsable", script) : slurm.Run("bash", script);
            Assert.True(exit == 0, submitted);
            var id = (submit == "sbatch" ? JobId() : Submitted()).Match(submitted);
            Assert.True(id.Success, submitted);
            slurm.WaitForEmptyQueue(TimeSpan.FromMinutes(15));   // a hang guard: seconds alone, minutes under load
            var shards = slurm.Run("scontrol", "show", "job", "-o", id.Groups[1].Value).Output;
            Assert.Equal(3, JobState().Matches(shards).Count(m => m.Groups[1].Value == "COMPLETED"));
        }
        log.WriteLine($"cluster start, 3 shards and merge ({submit}): {clock.Elapsed.TotalSeconds:F1} s");
        ShardTests.AssertSameOutput(reference, output);
        var logs = Enumerable.Range(0, 3).Select(i => File.ReadAllText(Path.Combine(dir, $"out.shard-{i}.log"))).ToList();
        Assert.Single(logs, l => l.Contains($"wrote {output}", StringComparison.Ordinal));
        Assert.Equal(2, logs.Count(l => l.Contains("(its shard merges)", StringComparison.Ordinal) || l.Contains("the output is merged already", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(dir, "slurm")));
    }

    [GeneratedRegex(@"^submitted shards as job ([0-9]+); the last to finish merges them$", RegexOptions.Multiline)]
    private static partial Regex Submitted();

    [GeneratedRegex(@"^([0-9]+)(;.*)?$", RegexOptions.Multiline)]
    private static partial Regex JobId();

    [GeneratedRegex(@"JobState=([A-Z_]+)")]
    private static partial Regex JobState();
}
