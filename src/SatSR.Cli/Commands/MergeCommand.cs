using System.CommandLine;
using SatSR.Cli.Terminal;
using SatSR.Pipeline.Sharding;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary><c>satsr merge OUTPUT [--parts DIR] [--vrt]</c>: assembles the parts of <c>upscale --shard i/N</c>.</summary>
internal static class MergeCommand
{
    private static readonly Argument<string> Output = new("OUTPUT") { Description = "The output the shards were run for (their parts are OUTPUT.part-i-of-N.tif)" };
    private static readonly Option<bool> Vrt = new("--vrt") { Description = "Write a VRT over the parts (OUTPUT with .vrt) instead of copying their pixels; keep the parts" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace an existing output file" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("merge", "Assemble the parts of a sharded upscale into the output (pixels copied, never inferred again)")
        {
            Output, UpscaleCommand.Parts, Vrt, Overwrite,
        };
        command.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var result = PartMerge.Run(new MergeOptions
            {
                OutputPath = parse.GetRequiredValue(Output),
                PartsFolder = parse.GetValue(UpscaleCommand.Parts),
                Vrt = parse.GetValue(Vrt),
                Overwrite = parse.GetValue(Overwrite),
            }, null, ct);
            var rate = result.Width * (double)result.Height / 1e6 / Math.Max(1e-9, result.CopyTime.TotalSeconds);
            console.MarkupLineInterpolated(
                $"[green]wrote[/] {result.OutputPath} ({result.Width}×{result.Height} from {result.Parts} parts, {result.Elapsed.TotalSeconds:F1} s{(result.CopyTime > TimeSpan.Zero ? FormattableString.Invariant($", pixels copied at {rate:F1} MP/s") : "")})");
            return Task.FromResult(0);
        }));
        return command;
    }
}
