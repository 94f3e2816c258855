using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SatSR.Tests.Shards;

/// <summary>
/// The scheduler jobs `satsr plan` writes. No Kubernetes can run here: the manifest is read as YAML by PyYAML (Debian's
/// python3-yaml), and its structure and the shard command the pods run (through sh) are checked; the Slurm script
/// runs for real in <see cref="SlurmTests"/>.
/// </summary>
public class PlanTests
{
    private static JsonElement[] ReadYaml(string path)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var info = new ProcessStartInfo(python, ["-c", "import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"PyYAML could not read {path} (apt-get install python3-yaml, or run tools/test): {stderr}");
        return [.. JsonDocument.Parse(stdout.Result).RootElement.EnumerateArray()];
    }

    /// <summary>The arguments the shell command <paramref name="command"/> passes to satsr, with <paramref name="environment"/> set.</summary>
    private static string[] Arguments(string command, string name, string value)
    {
        var info = new ProcessStartInfo("sh", ["-c", "satsr() { printf '%s\\n' \"$@\"; }; " + command.Replace("exec ", "", StringComparison.Ordinal)])
        {
            RedirectStandardOutput = true,
        };
        info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task The_Kubernetes_manifest_is_an_Indexed_Job_of_the_shards_and_a_merge_on_one_shared_claim()
    {
        var dir = TestFiles.TempDir();
        var file = Path.Combine(dir, "job.yaml");
        var (exit, text) = await SatsrProcess.Run(["plan", "/data/in put.tif", "/data/out/city.tif", "--shards", "4", "--k8s", file, "--claim", "scenes", "--", "--outscale", "2.5", "--co", "COMPRESS=ZSTD"]);
        Assert.True(exit == 0, text);
        var docs = ReadYaml(file);
        Assert.Equal(2, docs.Length);

        var shards = docs[0];
        Assert.Equal(("batch/v1", "Job"), (shards.GetProperty("apiVersion").GetString(), shards.GetProperty("kind").GetString()));
        var spec = shards.GetProperty("spec");
        Assert.Equal("Indexed", spec.GetProperty("completionMode").GetString());
        Assert.Equal(4, spec.GetProperty("completions").GetInt32());
        Assert.Equal(4, spec.GetProperty("parallelism").GetInt32());
        var pod = spec.GetProperty("template").GetProperty("spec");
        var container = pod.GetProperty("containers")[0];
        var command = container.GetProperty("command").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(["sh", "-c"], command[..2]);
        // What pod 2 runs: $JOB_COMPLETION_INDEX → --shard 2/4, paths with spaces kept whole, the user's options passed on.
        Assert.Equal(["upscale", "/data/in put.tif", "/data/out/city.tif", "--shard", "2/4", "--resume", "--overwrite", "--outscale", "2.5", "--co", "COMPRESS=ZSTD"],
            Arguments(command[2], "JOB_COMPLETION_INDEX", "2"));
        AssertSharedClaim(pod, container, "scenes");

        var merge = docs[1];
        Assert.Equal("Job", merge.GetProperty("kind").GetString());
        var mergePod = merge.GetProperty("spec").GetProperty("template").GetProperty("spec");
        var mergeContainer = mergePod.GetProperty("containers")[0];
        Assert.Equal(["merge", "/data/out/city.tif", "--overwrite"],
            Arguments(mergeContainer.GetProperty("command")[2].GetString()!, "UNUSED", ""));
        AssertSharedClaim(mergePod, mergeContainer, "scenes");
        // The merge pod starts after its init container has seen all 4 committed parts on the claim.
        var wait = mergePod.GetProperty("initContainers")[0];
        AssertSharedClaim(mergePod, wait, "scenes");
        Assert.Contains("/data/out/city.part-*-of-*.tif", wait.GetProperty("command")[2].GetString());
        Assert.Contains("-ge 4", wait.GetProperty("command")[2].GetString());
    }

    private static void AssertSharedClaim(JsonElement pod, JsonElement container, string claim)
    {
        var mount = container.GetProperty("volumeMounts")[0];
        Assert.Equal("/data", mount.GetProperty("mountPath").GetString());
        var volume = pod.GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == mount.GetProperty("name").GetString());
        Assert.Equal(claim, volume.GetProperty("persistentVolumeClaim").GetProperty("claimName").GetString());
    }

    [Fact]
    public async Task The_Slurm_script_is_an_array_of_N_tasks_whose_index_is_the_shard()
    {
        var dir = TestFiles.TempDir();
        var file = Path.Combine(dir, "job.sbatch");
        var (exit, text) = await SatsrProcess.Run(["plan", "in.tif", "out.tif", "--shards", "7", "--slurm", file, "--satsr", "satsr"]);
        Assert.True(exit == 0, text);
        var lines = File.ReadAllLines(file);
        Assert.Contains("#SBATCH --array=0-6", lines);
        var shard = lines.Single(l => l.StartsWith("satsr upscale ", StringComparison.Ordinal));
        // Relative paths become absolute: the tasks start wherever Slurm puts them.
        Assert.Equal(["upscale", Path.GetFullPath("in.tif"), Path.GetFullPath("out.tif"), "--shard", "5/7", "--resume", "--overwrite"],
            Arguments(shard, "SLURM_ARRAY_TASK_ID", "5"));
        // Every task may be the last: each has the merge after its shard (SlurmTests run it).
        Assert.Equal(["merge", Path.GetFullPath("out.tif"), "--overwrite"], Arguments(lines.Single(l => l.StartsWith("satsr merge ", StringComparison.Ordinal)), "SLURM_ARRAY_TASK_ID", "5"));
    }

    /// <summary>
    /// A remote input reaches every task as the user wrote it: made "absolute" it would be a local path that does not exist.
    /// Both point at a closed loopback port, so plan cannot read them here and leaves the tile to the shards.
    /// </summary>
    [Theory]
    [InlineData("http://127.0.0.1:1/scenes/scene.tif")]
    [InlineData("/vsis3/bucket/scenes/scene.tif")]
    public async Task The_Slurm_script_passes_a_remote_input_as_it_is(string input)
    {
        var dir = TestFiles.TempDir();
        var file = Path.Combine(dir, "job.sbatch");
        var s3 = new Dictionary<string, string?>
        {
            ["AWS_S3_ENDPOINT"] = "127.0.0.1:1", ["AWS_HTTPS"] = "NO", ["AWS_VIRTUAL_HOSTING"] = "FALSE", ["AWS_NO_SIGN_REQUEST"] = "YES",
        };
        var (exit, text) = await SatsrProcess.Run(["plan", input, "out.tif", "--shards", "2", "--slurm", file, "--satsr", "satsr"], environment: s3);
        Assert.True(exit == 0, text);
        Assert.Contains("not planned", text);
        var shard = File.ReadAllLines(file).Single(l => l.StartsWith("satsr upscale ", StringComparison.Ordinal));
        Assert.Equal(input, Arguments(shard, "SLURM_ARRAY_TASK_ID", "1")[1]);
    }

    /// <summary>
    /// Without --tile, plan reads the input's header and picks the tile: hard-cropped, 3 shards of the 48×48 crop's 192
    /// output rows (12 blocks of 16) can split on tile-core edges, so it says halo 0 and as many tiles as one run, and the
    /// shards get that tile on their command line (all must plan the same). With --tile the user's stays.
    /// </summary>
    [Fact]
    public async Task Plan_picks_the_tile_says_so_in_one_line_and_passes_it_to_every_shard()
    {
        var dir = TestFiles.TempDir();
        var input = ShardTests.Input(dir);
        var file = Path.Combine(dir, "job.sbatch");
        string[] upscale = ["--overlap", "8", "--co", "BLOCKXSIZE=16", "--co", "BLOCKYSIZE=16", "--blend", "hardcrop"];
        var (exit, text) = await SatsrProcess.Run(["plan", input, Path.Combine(dir, "out.tif"), "--shards", "3", "--slurm", file, "--satsr", "satsr", "--", .. upscale]);
        Assert.True(exit == 0, text);
        var said = Regex.Match(text, @"^planned 3 shards, tile (\d+), halo 0\.00 % \((\d+) tiles inferred, (\d+) in one run\); network work [\d.]+× one run in tiles of \d+$", RegexOptions.Multiline);
        Assert.True(said.Success, text);
        Assert.Equal(said.Groups[2].Value, said.Groups[3].Value);
        var shard = File.ReadAllLines(file).Single(l => l.StartsWith("satsr upscale ", StringComparison.Ordinal));
        Assert.Equal([.. upscale, "--tile", said.Groups[1].Value], Arguments(shard, "SLURM_ARRAY_TASK_ID", "1")[7..]);

        (exit, text) = await SatsrProcess.Run(["plan", input, Path.Combine(dir, "out.tif"), "--shards", "3", "--slurm", file, "--overwrite", "--satsr", "satsr", "--", .. upscale, "--tile", "12"]);
        Assert.True(exit == 0, text);
        Assert.Contains("planned 3 shards, tile 12, halo 0.00 %", text);
        shard = File.ReadAllLines(file).Single(l => l.StartsWith("satsr upscale ", StringComparison.Ordinal));
        Assert.Equal([.. upscale, "--tile", "12"], Arguments(shard, "SLURM_ARRAY_TASK_ID", "1")[7..]);
    }

    [Theory]
    [InlineData("--shards 0 --slurm F", "error: --shards must be 1 or more, or auto (got 0)")]
    [InlineData("--shards many --slurm F", "error: --shards must be 1 or more, or auto (got many)")]
    [InlineData("--shards 2 --max-halo 0 --slurm F", "error: --max-halo must be above 0 and at most 100 (got 0)")]
    [InlineData("--shards 2", "error: give one of --slurm FILE or --k8s FILE")]
    [InlineData("--shards 2 --slurm F --k8s F", "error: give one of --slurm FILE or --k8s FILE")]
    public async Task Plan_refuses_bad_options_with_one_line_and_writes_nothing(string options, string expected)
    {
        var dir = TestFiles.TempDir();
        var args = options.Split(' ').Select(a => a == "F" ? Path.Combine(dir, "job") : a);
        var (exit, text) = await SatsrProcess.Run(["plan", "in.tif", "out.tif", .. args]);
        Assert.Equal((1, expected), (exit, text.TrimEnd()));
        Assert.Empty(Directory.GetFiles(dir));
    }
}
