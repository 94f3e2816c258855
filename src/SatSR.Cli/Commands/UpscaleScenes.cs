using SatSR.Cli.Terminal;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Raster;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr upscale INPUT… FOLDER/</c>: many scenes into one folder, FOLDER/&lt;input name&gt;.tif each, with one model
/// and engine; a scene that fails is one error line and the others go on; a table at the end; exit 1 if any failed.
/// </summary>
internal static class UpscaleScenes
{
    /// <summary>
    /// Whether the command line asks for many scenes: several inputs, a folder or a pattern as the input, or a folder as
    /// the output (an existing one, or a path ending in /). One input file and an output file is the single job.
    /// </summary>
    public static bool AreMany(IReadOnlyList<string> inputs, string output) =>
        inputs.Count > 1 || Path.EndsInDirectorySeparator(output) || Directory.Exists(output) || Directory.Exists(inputs[0])
        || (!File.Exists(inputs[0]) && !RemoteFile.IsRemote(RemoteFile.GdalPath(inputs[0])) && Path.GetFileName(inputs[0]).AsSpan().IndexOfAny('*', '?') >= 0);

    /// <param name="options">the job's options; its output path is the folder, its input path one of the inputs (each scene sets its own)</param>
    public static async Task<int> Run(IAnsiConsole console, IAnsiConsole error, bool verbose, UpscaleOptions options, IReadOnlyList<string> inputs, CancellationToken ct)
    {
        var folder = options.OutputPath;
        if (options.Shard is not null) throw new InvalidOptionsException("--shard splits one scene into parts: give one input and one output file");
        if (File.Exists(folder)) throw new InvalidOptionsException($"{folder}: is a file; many scenes are written into a folder");
        var scenes = SceneRun.Plan(inputs, folder);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOptionsException($"{folder}: cannot make the output folder ({e.Message})");
        }
        var results = await GdalNotes.Around(console, () => SpectreProgress.RunScenes(console, scenes.Count,
            progress => UpscaleCommand.ExecuteScenes(scenes, options, progress, ct),
            failed => ErrorRenderer.Render(error, failed.Error!, verbose)));
        Summarise(console, results);
        return results.Any(r => r.Outcome == SceneOutcome.Failed) ? ErrorRenderer.Failure : 0;
    }

    private static void Summarise(IAnsiConsole console, IReadOnlyList<SceneResult> results)
    {
        var table = new Table().AddColumns("scene", "result", "output", "size", "time");
        foreach (var r in results)
        {
            var name = Markup.Escape(r.Scene.InputPath);
            var output = Markup.Escape(r.Scene.OutputPath);
            _ = r switch
            {
                { Result: { } done } => table.AddRow(name, "[green]written[/]", output,
                    $"{done.Width}×{done.Height} ({UpscaleCommand.Factor(done)})", FormattableString.Invariant($"{done.Elapsed.TotalSeconds:F1} s")),
                { Outcome: SceneOutcome.Skipped } => table.AddRow(name, "[grey]skipped[/] (done before)", output, "", ""),
                _ => table.AddRow(name, "[red]failed[/] (error above)", "", "", ""),
            };
        }
        console.Write(table);
        int Count(SceneOutcome outcome) => results.Count(r => r.Outcome == outcome);
        console.MarkupLineInterpolated(
            $"{results.Count} scene{(results.Count == 1 ? "" : "s")}: {Count(SceneOutcome.Written)} written, {Count(SceneOutcome.Skipped)} skipped, {Count(SceneOutcome.Failed)} failed");
    }
}
