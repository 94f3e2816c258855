using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SatSR.Cli.Terminal;
using SatSR.Pipeline;
using SatSR.Pipeline.Sharding;
using SatSR.Raster;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr plan INPUT OUTPUT --shards N --slurm FILE | --k8s FILE [-- UPSCALE OPTIONS…]</c>: writes a ready job for an
/// existing scheduler that runs <c>upscale --shard i/N</c> on every shard and then <c>merge</c>.
/// </summary>
internal static partial class PlanCommand
{
    private static readonly Argument<string> Input = new("INPUT") { Description = "Input raster, as the shards see it (shared storage)" };
    private static readonly Argument<string> Output = new("OUTPUT") { Description = "Output GeoTIFF, as the shards see it (shared storage)" };
    private static readonly Argument<string[]> Extra = new("UPSCALE-OPTIONS") { Description = "Options for every shard's upscale, after --, e.g. -- --model realesrgan-x4plus --outscale 2.5", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<string> Shards = new("--shards") { Description = "Number of shards N, or auto: as many as keep the halo (tiles inferred by two shards) under --max-halo", Required = true };
    // No cap by default for a given N: a small halo bought with small tiles costs more network work than it saves
    // (docs/SCALE-OUT.md, "How to choose N"); --shards auto needs one to stop adding shards.
    private static readonly Option<double?> MaxHalo = new("--max-halo")
    {
        Description = "Keep the tiles inferred by two shards under this percentage of one run's when choosing the tile and, with --shards auto, N " +
            "(default: none with --shards N, so the tile of least network work; 5 with --shards auto)",
    };
    private static readonly Option<string?> Slurm = new("--slurm") { Description = "Write a Slurm array script here (sbatch FILE: the shards, the last of which merges)" };
    private static readonly Option<string?> K8s = new("--k8s") { Description = "Write a Kubernetes manifest here: an Indexed Job of the shards and a merge Job" };
    private static readonly Option<string?> Satsr = new("--satsr") { Description = "The command that runs satsr on the nodes (default: this installation; in a container: satsr)" };
    private static readonly Option<string> Image = new("--image") { Description = "Container image with satsr (Kubernetes)", DefaultValueFactory = _ => "satsr:latest" };
    private static readonly Option<string> Claim = new("--claim") { Description = "PersistentVolumeClaim (ReadWriteMany) holding input, parts and output (Kubernetes)", DefaultValueFactory = _ => "satsr-data" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace an existing FILE" };
    private static readonly Option<string> Mount = new("--mount") { Description = "Where the claim is mounted in the pods (Kubernetes)", DefaultValueFactory = _ => "/data" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("plan", "Write a Slurm array script or a Kubernetes Indexed Job that runs the shards of one upscale and merges them")
        {
            Input, Output, Extra, Shards, MaxHalo, UpscaleCommand.Parts, Slurm, K8s, Satsr, Image, Claim, Mount, Overwrite,
        };
        command.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var count = ParseShards(parse.GetRequiredValue(Shards));
            var (slurm, k8s) = (parse.GetValue(Slurm), parse.GetValue(K8s));
            if ((slurm is null) == (k8s is null)) throw new InvalidOptionsException("give one of --slurm FILE or --k8s FILE");
            var file = slurm ?? k8s!;
            if (File.Exists(file) && !parse.GetValue(Overwrite)) throw new InvalidOptionsException($"{file}: already exists; pass --overwrite to replace it");
            var (input, output, extra) = (parse.GetRequiredValue(Input), parse.GetRequiredValue(Output), parse.GetValue(Extra) ?? []);
            var maxHalo = parse.GetValue(MaxHalo) ?? (count is null ? 100 * ShardPlan.DefaultMaxHalo : 100);
            if (maxHalo is not (> 0 and <= 100)) throw new InvalidOptionsException($"--max-halo must be above 0 and at most 100 (got {maxHalo})");
            (var n, extra) = Plan(input, output, extra, count, maxHalo / 100, console, error);
            var job = new ShardJob(input, output, n, parse.GetValue(UpscaleCommand.Parts), extra);
            var text = slurm is not null
                ? SlurmScript(job with { Input = Absolute(job.Input), Output = Path.GetFullPath(job.Output), Parts = job.Parts is null ? null : Path.GetFullPath(job.Parts) },
                    parse.GetValue(Satsr) ?? ThisSatsr())
                : KubernetesManifest(job, parse.GetValue(Satsr) ?? "satsr", parse.GetRequiredValue(Image), parse.GetRequiredValue(Claim), parse.GetRequiredValue(Mount));
            // Atomic like every output: the scheduler never reads half a script.
            File.WriteAllText(file + ".partial", text);
            File.Move(file + ".partial", file, overwrite: true);
            console.MarkupLineInterpolated($"[green]wrote[/] {file} ({n} shards of {job.Output}, then merge)");
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>A local input's absolute path (the tasks start wherever Slurm puts them); one read over the network (a URL, /vsis3/…) as it is.</summary>
    private static string Absolute(string input) => RemoteFile.IsRemote(RemoteFile.GdalPath(input)) ? input : Path.GetFullPath(input);

    /// <summary>N, or null for auto.</summary>
    private static int? ParseShards(string text) =>
        text == "auto" ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
        : throw new InvalidOptionsException($"--shards must be 1 or more, or auto (got {text})");

    /// <summary>
    /// The shards and the upscale options they run with, the tile chosen said in one line and added to the options (every
    /// shard must plan the same tiles) unless the user gave it; as given (the shards choose their tile) when the input
    /// cannot be read here, e.g. a path as the pods see it, or for --outscale.
    /// </summary>
    private static (int Count, string[] Extra) Plan(string input, string output, string[] extra, int? count, double maxHalo, IAnsiConsole console, IAnsiConsole error)
    {
        var parse = UpscaleCommand.Create(console, error).Parse([input, output, .. extra]);
        if (parse.Errors.Count > 0) throw new InvalidOptionsException($"upscale options after --: {parse.Errors[0].Message}");
        var options = UpscaleCommand.ToOptions(parse);
        options.Validate();
        ShardChoice? choice;
        try
        {
            // A URL is read as upscale reads it, with range requests.
            choice = Upscaler.ChooseShards(options with { InputPath = RemoteFile.GdalPath(options.InputPath) }, count, maxHalo);
        }
        catch (RasterException e) when (count is not null)
        {
            console.MarkupLineInterpolated($"[yellow]not planned[/]: {e.Message}; the shards choose their tile");
            return (count.Value, extra);
        }
        if (choice is null)
        {
            if (count is null) throw new InvalidOptionsException("--shards auto: an --outscale job is split evenly; give --shards N");
            console.MarkupLine("[yellow]not planned[/]: an --outscale job is split evenly; the shards choose their tile");
            return (count.Value, extra);
        }
        console.MarkupLineInterpolated(
            $"planned {choice.Count} shards, tile {choice.Tile}, halo {100 * choice.Halo:F2} % ({choice.Tiles} tiles inferred, {choice.SingleRunTiles} in one run); network work {choice.Work:F2}× one run in tiles of {choice.OneRunTile}");
        return (choice.Count, options.TileSize is null ? [.. extra, "--tile", choice.Tile.ToString(CultureInfo.InvariantCulture)] : extra);
    }

    /// <param name="Extra">the user's upscale options, passed on as they are</param>
    private sealed record ShardJob(string Input, string Output, int Count, string? Parts, IReadOnlyList<string> Extra)
    {
        /// <summary>The shard's upscale arguments; <paramref name="index"/> is a shell expression (the scheduler's variable).</summary>
        public string Upscale(string satsr, string index) =>
            $"{satsr} upscale {Quote(Input)} {Quote(Output)} --shard \"{index}/{Count.ToString(CultureInfo.InvariantCulture)}\"{PartsOption} --resume --overwrite{string.Concat(Extra.Select(a => " " + Quote(a)))}";

        public string Merge(string satsr) => $"{satsr} merge {Quote(Output)}{PartsOption} --overwrite";

        private string PartsOption => Parts is null ? "" : " --parts " + Quote(Parts);

        public string Name => "satsr-" + new string(Path.GetFileNameWithoutExtension(Output).ToLowerInvariant()
            .Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
    }

    /// <summary>
    /// How this very installation is run: the launcher when it started us, else this native program, else (an assembly
    /// run by the runtime, as in the tests) the runtime with this assembly.
    /// </summary>
    private static string ThisSatsr() => Environment.GetEnvironmentVariable("SATSR_ROOT") is { Length: > 0 } root
        ? Quote(Path.Combine(root, "satsr"))
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? $"dotnet {Quote(Path.Combine(AppContext.BaseDirectory, "SatSR.Cli.dll"))}"
            : Quote(Environment.ProcessPath!);

    // Serialisation code made at build time: the native CLI has no reflection-based JSON.
    [JsonSerializable(typeof(string))]
    private sealed partial class ScalarJsonContext : JsonSerializerContext;

    private static readonly ScalarJsonContext ScalarJson = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>POSIX shell single quotes (a quote inside becomes '\'').</summary>
    internal static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=,:+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// One file, submitted either way (<c>sbatch FILE</c>, or <c>bash FILE</c>, which submits it): array task i is
    /// shard i, and the last task to finish merges. Tasks end at once, so under a lock (flock on a file beside the
    /// logs, shared storage) each looks: the one that finds all N parts committed and the output missing or older than
    /// one of them merges; the others find a part missing (its task, still running, merges) or the output already there.
    /// A failed task's part stays missing, so nothing merges until that task is rerun, which then merges.
    /// </summary>
    private static string SlurmScript(ShardJob job, string satsr)
    {
        var logs = Path.Combine(job.Parts ?? Path.GetDirectoryName(job.Output)!, Path.GetFileNameWithoutExtension(job.Output));
        var n = job.Count.ToString(CultureInfo.InvariantCulture);
        // The part names of ShardPart.PathFor: the numbers have N's digits, two at least.
        var digits = Math.Max(2, n.Length).ToString(CultureInfo.InvariantCulture);
        var part = $"{logs.Replace("%", "%%", StringComparison.Ordinal)}.part-%0{digits}d-of-{job.Count.ToString("D" + digits, CultureInfo.InvariantCulture)}.tif";
        return $$"""
            #!/bin/bash
            # Written by `satsr plan`: {{n}} shards of {{job.Output}} as a Slurm job array; the last shard to finish merges them.
            #   sbatch THIS_FILE   submits the array (bash THIS_FILE does the same)
            # Every shard resumes its own part (--resume): a task killed and requeued continues where it stopped; a second
            # copy of a shard started while the first still runs is refused (the part is locked). A failed task leaves its
            # part missing and nothing is merged: rerun it (sbatch --array=I THIS_FILE) and it merges when done.
            #SBATCH --job-name={{job.Name}}
            #SBATCH --array=0-{{job.Count - 1}}
            #SBATCH --output={{logs}}.shard-%a.log
            #SBATCH --requeue
            set -euo pipefail
            if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
              shards=$(sbatch --parsable "$0")
              echo "submitted shards as job ${shards%%;*}; the last to finish merges them"
              exit 0
            fi
            {{job.Upscale(satsr, "$SLURM_ARRAY_TASK_ID")}}
            # Merge if this is the last shard: under the lock, every part committed and the output older than one of them.
            exec 9>>{{Quote(logs + ".merge.lock")}}
            flock 9
            merged=yes
            for ((i = 0; i < {{n}}; i++)); do
              printf -v part {{Quote(part)}} "$i"
              if [ ! -f "$part" ]; then echo "shard $SLURM_ARRAY_TASK_ID done; $part is not yet (its shard merges)"; exit 0; fi
              [ {{Quote(job.Output)}} -nt "$part" ] || merged=no
            done
            if [ "$merged" = yes ]; then echo "shard $SLURM_ARRAY_TASK_ID done; the output is merged already"; exit 0; fi
            {{job.Merge(satsr)}}

            """;
    }

    /// <summary>
    /// An Indexed Job (one pod per index, <c>$JOB_COMPLETION_INDEX</c> → <c>--shard</c>) and a merge Job whose init
    /// container waits until all N parts are committed (a part appears under its name only when complete); both
    /// mount one ReadWriteMany claim for input, parts and output. Scalars are written as JSON strings, which YAML reads as they are.
    /// </summary>
    private static string KubernetesManifest(ShardJob job, string satsr, string image, string claim, string mount)
    {
        string S(string s) => JsonSerializer.Serialize(s, ScalarJson.String);
        var n = job.Count.ToString(CultureInfo.InvariantCulture);
        var parts = Path.Combine(job.Parts ?? Path.GetDirectoryName(job.Output)!, Path.GetFileNameWithoutExtension(job.Output));
        var wait = $"until [ \"$(ls {Quote(parts)}.part-*-of-*.tif 2>/dev/null | wc -l)\" -ge {n} ]; do sleep 10; done";
        var volume = $$"""
                  volumes:
                    - name: data
                      persistentVolumeClaim:
                        claimName: {{S(claim)}}
            """;
        var mounts = $$"""
                      volumeMounts:
                        - name: data
                          mountPath: {{S(mount)}}
            """;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            # Written by `satsr plan`: {{n}} shards of {{job.Output}} as a Kubernetes Indexed Job, and the merge.
            # kubectl apply -f THIS_FILE; the merge pod waits for all {{n}} parts on the shared claim {{claim}} (ReadWriteMany).
            # A failed shard pod is retried (backoffLimitPerIndex) and resumes its own part (--resume).
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {{S(job.Name + "-shards")}}
            spec:
              completionMode: Indexed
              completions: {{n}}
              parallelism: {{n}}
              backoffLimitPerIndex: 3
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: shard
                      image: {{S(image)}}
                      command: ["sh", "-c", {{S("exec " + job.Upscale(satsr, "$JOB_COMPLETION_INDEX"))}}]

            """);
        text.Append(mounts).Append('\n').Append(volume).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $$"""
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {{S(job.Name + "-merge")}}
            spec:
              backoffLimit: 3
              template:
                spec:
                  restartPolicy: Never
                  initContainers:
                    - name: wait-for-parts
                      image: {{S(image)}}
                      command: ["sh", "-c", {{S(wait)}}]

            """);
        text.Append(mounts).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $$"""
                  containers:
                    - name: merge
                      image: {{S(image)}}
                      command: ["sh", "-c", {{S("exec " + job.Merge(satsr))}}]

            """);
        text.Append(mounts).Append('\n').Append(volume).Append('\n');
        return text.ToString();
    }
}
