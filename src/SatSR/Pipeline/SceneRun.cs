using SatSR.Inference;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>One scene of a run over many: its input and the output it gets.</summary>
public sealed record Scene(string InputPath, string OutputPath);

public enum SceneOutcome
{
    /// <summary>Upscaled now; its output is complete.</summary>
    Written,

    /// <summary>With <c>--resume</c>: its output was there, finished by an earlier run.</summary>
    Skipped,

    /// <summary>Its job failed (one line naming the file, in <see cref="SceneResult.Error"/>); nothing of it is at its output path.</summary>
    Failed,
}

/// <summary>How a scene ended; <see cref="Result"/> when written, <see cref="Error"/> when failed.</summary>
public sealed record SceneResult(Scene Scene, SceneOutcome Outcome, UpscaleResult? Result = null, Exception? Error = null);

/// <summary>
/// A run over many scenes: scene <see cref="Index"/> (0-based) of <see cref="Count"/> is starting (neither
/// <see cref="Step"/> nor <see cref="Finished"/>), at <see cref="Step"/> of its job, or <see cref="Finished"/>.
/// </summary>
public sealed record SceneProgress(int Index, int Count, Scene Scene)
{
    public UpscaleProgress? Step { get; init; }
    public SceneResult? Finished { get; init; }
}

/// <summary>
/// Upscales many scenes with one set of options: each scene is an ordinary job into its own output (written whole or
/// not at all, resumable), one after another with one inference engine (<see cref="EngineCache"/>), and a scene that
/// fails is reported while the others go on.
/// </summary>
public static class SceneRun
{
    /// <summary>
    /// The scenes of <paramref name="inputs"/> (raster files; folders, whose rasters are taken sorted by name; or paths
    /// whose file name has the wildcards * and ?, e.g. tiles/*.tif, as a shell would expand them), each written to
    /// <paramref name="outputFolder"/>/&lt;input name without extension&gt;.tif. An input named twice is one scene.
    /// Refused before anything is written: a path that names nothing, a folder without rasters, a pattern that matches
    /// nothing, and two inputs that would be written to one output (or an output that is an input).
    /// </summary>
    public static IReadOnlyList<Scene> Plan(IReadOnlyList<string> inputs, string outputFolder)
    {
        var files = inputs.SelectMany(Expand).DistinctBy(FullPath).ToList();
        var scenes = files.Select(f => new Scene(f, Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(f) + ".tif"))).ToList();
        var inputPaths = files.Select(FullPath).ToHashSet(StringComparer.Ordinal);
        foreach (var group in scenes.GroupBy(s => FullPath(s.OutputPath), StringComparer.Ordinal))
        {
            var first = group.First();
            if (group.Skip(1).FirstOrDefault() is { } second)
            {
                throw new InvalidOptionsException(
                    $"{first.OutputPath}: both {first.InputPath} and {second.InputPath} would be written there (outputs are named after their input); give them separate runs or output folders");
            }
            if (inputPaths.Contains(group.Key))
            {
                throw new InvalidOptionsException($"{first.OutputPath}: is an input as well as the output of {first.InputPath}; choose another output folder");
            }
        }
        return scenes;
    }

    private static IEnumerable<string> Expand(string input)
    {
        if (Directory.Exists(input))
        {
            var rasters = RasterFiles.InFolder(input);
            return rasters.Count > 0 ? rasters : throw new InvalidOptionsException($"{input}: is a folder that holds no raster ({string.Join(", ", RasterFiles.Extensions)})");
        }
        var name = Path.GetFileName(input);
        if (name.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            var folder = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
            if (folder.AsSpan().IndexOfAny('*', '?') >= 0) throw new InvalidOptionsException($"{input}: wildcards work in the file name only, not in folder names");
            if (!Directory.Exists(folder)) throw new InvalidOptionsException($"{input}: folder {folder} does not exist");
            var matches = Directory.EnumerateFiles(folder, name, new EnumerationOptions { MatchType = MatchType.Simple, MatchCasing = MatchCasing.CaseSensitive })
                .Order(StringComparer.Ordinal).ToList();
            return matches.Count > 0 ? matches : throw new InvalidOptionsException($"{input}: matches no file");
        }
        return File.Exists(input) || input.StartsWith("/vsi", StringComparison.Ordinal) ? [input] : throw new InvalidOptionsException($"{input}: no such file or folder");
    }

    private static string FullPath(string path) => path.StartsWith("/vsi", StringComparison.Ordinal) ? path : Path.GetFullPath(path);

    /// <summary>
    /// Runs every scene with <paramref name="options"/> (its input and output paths replaced by the scene's), in order.
    /// With <see cref="UpscaleOptions.Resume"/> a scene whose output exists is skipped (an output appears only when
    /// complete) and one with an interrupted partial output continues from it. A failure of one scene is its result;
    /// cancellation stops the run, leaving the current scene resumable.
    /// </summary>
    /// <param name="engines">the engine the scenes share; null: one of the run's own</param>
    public static IReadOnlyList<SceneResult> Run(IReadOnlyList<Scene> scenes, UpscaleOptions options, IProgress<SceneProgress>? progress = null,
        CancellationToken cancellationToken = default, EngineCache? engines = null)
    {
        using var ownEngines = engines is null ? new EngineCache() : null;
        engines ??= ownEngines!;
        var results = new List<SceneResult>(scenes.Count);
        for (var i = 0; i < scenes.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var scene = scenes[i];
            progress?.Report(new SceneProgress(i, scenes.Count, scene));
            SceneResult result;
            if (options.Resume && !options.Overwrite && File.Exists(scene.OutputPath))
            {
                result = new SceneResult(scene, SceneOutcome.Skipped);
            }
            else
            {
                try
                {
                    var job = options with { InputPath = scene.InputPath, OutputPath = scene.OutputPath };
                    result = new SceneResult(scene, SceneOutcome.Written, Upscaler.Run(job, new StepProgress(progress, i, scenes.Count, scene), cancellationToken, engines));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    result = new SceneResult(scene, SceneOutcome.Failed, Error: e);
                }
            }
            results.Add(result);
            progress?.Report(new SceneProgress(i, scenes.Count, scene) { Finished = result });
        }
        return results;
    }

    private sealed class StepProgress(IProgress<SceneProgress>? progress, int index, int count, Scene scene) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value) => progress?.Report(new SceneProgress(index, count, scene) { Step = value });
    }
}
