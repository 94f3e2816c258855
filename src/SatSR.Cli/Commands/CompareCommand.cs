using System.CommandLine;
using SatSR.Cli.Terminal;
using SatSR.Raster;
using SatSR.Viewer;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary><c>satsr compare BEFORE AFTER --html PAGE.html</c>: a self-contained swipe page of an input and its output (<see cref="ComparePage"/>).</summary>
internal static class CompareCommand
{
    private static readonly Argument<string> Before = new("BEFORE") { Description = "The input raster (shown nearest-neighbour on AFTER's grid; a file or an http(s) URL)" };
    private static readonly Argument<string> After = new("AFTER") { Description = "The super-resolved raster (a file or an http(s) URL)" };
    private static readonly Option<string> Html = new("--html") { Description = "HTML page to write", Required = true };
    private static readonly Option<string?> Bands = new("--bands") { Description = "One band (grey) or three (R,G,B), 1-based (default: the first three, or the first)" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace an existing page" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("compare", "Write one self-contained HTML page comparing BEFORE and AFTER with a swipe, zoom and pan")
        {
            Before, After, Html, CommonOptions.Region, Bands, Overwrite,
        };
        command.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var result = ComparePage.Write(new CompareOptions
            {
                // http(s) URLs are read through /vsicurl/, as upscale reads its input.
                BeforePath = RemoteFile.GdalPath(parse.GetRequiredValue(Before)),
                AfterPath = RemoteFile.GdalPath(parse.GetRequiredValue(After)),
                PagePath = parse.GetRequiredValue(Html),
                Region = CommonOptions.ParseRegion(parse.GetValue(CommonOptions.Region)),
                Bands = UpscaleCommand.ParseBands(parse.GetValue(Bands)),
                Overwrite = parse.GetValue(Overwrite),
            });
            var r = result.Region;
            console.MarkupLineInterpolated(
                $"[green]wrote[/] {result.PagePath} (region {r.Column},{r.Row},{r.Width},{r.Height} of the output, {result.Bytes / 1e6:F1} MB)");
            return Task.FromResult(0);
        }));
        return command;
    }
}
