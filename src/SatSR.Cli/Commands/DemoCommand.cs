using System.CommandLine;
using SatSR.Cli.Terminal;
using SatSR.Pipeline.Options;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr demo</c>: the main job on the bundled sample (a CBERS-2B scene corner with its black nodata wedge)
/// with the default model, written to out/demo/ beside the launcher.
/// </summary>
internal static class DemoCommand
{
    private static readonly Option<string> Root = new("--root") { Description = "Repository folder holding samples/", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SATSR_ROOT") ?? "." };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("demo", "Upscale the bundled CBERS-2B sample ×4 with the default model") { Root };
        command.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), async () =>
        {
            var root = parse.GetRequiredValue(Root);
            var input = Path.Combine(root, "samples", "cbers2b_pan_edge_512.tif");
            var folder = Directory.CreateDirectory(Path.Combine(root, "out", "demo")).FullName;
            var options = new UpscaleOptions
            {
                InputPath = input,
                OutputPath = Path.Combine(folder, "cbers2b_pan_edge_x4.tif"),
                Model = ModelsCommand.Resolve(ModelsCommand.DefaultModel),
                Overwrite = true, // the demo's own output from an earlier demo run
            };
            var result = await SpectreProgress.Run(console, "demo", p => UpscaleCommand.Execute(options, p, ct));
            console.MarkupLineInterpolated($"[green]wrote[/] {result.OutputPath}");
            console.MarkupLineInterpolated($"{result.Width}×{result.Height}, {UpscaleCommand.Factor(result)} with {options.Model.Name} (network weight {result.ModelWeight:0.###} against bicubic), {result.Elapsed.TotalSeconds:F1} s on {result.Device}");
            return 0;
        }));
        return command;
    }
}
