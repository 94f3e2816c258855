using System.CommandLine;
using System.Globalization;
using SatSR.Cli.Terminal;
using SatSR.Raster;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary><c>satsr info FILE</c>: what SatSR sees in a raster (size, bands, nodata, georeference).</summary>
internal static class InfoCommand
{
    private static readonly Argument<string> File = new("FILE") { Description = "Raster file (an http(s) URL, /vsicurl/ or /vsis3/ path; a STAC item with --asset)" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("info", "Describe a raster as SatSR reads it") { File, CommonOptions.Asset, CommonOptions.Config };
        command.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), async () =>
        {
            CommonOptions.ApplyConfig(parse.GetValue(CommonOptions.Config) ?? []);
            using var dataset = RasterDataset.Open(await StacItem.ResolveInputAsync(parse.GetRequiredValue(File), parse.GetValue(CommonOptions.Asset), ct));
            Render(console, dataset.Path, dataset.Profile, dataset.OverviewSizes);
            return 0;
        }));
        return command;
    }

    private static void Render(IAnsiConsole console, string path, RasterProfile p, IReadOnlyList<(int Width, int Height)> overviews)
    {
        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("[bold]file[/]", Markup.Escape(path));
        summary.AddRow("[bold]size[/]", $"{p.Width} × {p.Height} pixels, {p.BandCount} band(s), {p.DataType}");
        summary.AddRow("[bold]blocks[/]", $"{p.BlockWidth} × {p.BlockHeight}");
        summary.AddRow("[bold]overviews[/]", overviews.Count == 0 ? "none" : string.Join(", ", overviews.Select(o => $"{o.Width} × {o.Height}")));
        if (p.Transform is { } t)
        {
            summary.AddRow("[bold]origin[/]", F(t.C0) + ", " + F(t.C3));
            summary.AddRow("[bold]pixel size[/]", F(t.C1) + ", " + F(t.C5) + (t.C2 != 0 || t.C4 != 0 ? $" (rotation {F(t.C2)}, {F(t.C4)})" : ""));
        }
        summary.AddRow("[bold]CRS[/]", Markup.Escape(p.CrsName ?? "none"));
        if (p.Gcps.Count > 0) summary.AddRow("[bold]GCPs[/]", p.Gcps.Count.ToString(CultureInfo.InvariantCulture));
        if (p.Metadata.ContainsKey("RPC")) summary.AddRow("[bold]RPC[/]", "present");
        console.Write(summary);

        var bands = new Table().AddColumns("band", "colour", "nodata", "mask", "description");
        for (var i = 0; i < p.BandCount; i++)
        {
            var b = p.Bands[i];
            bands.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), b.ColorInterpretation.ToString(),
                b.Nodata is { } n ? F(n) : "-", b.MaskFlags.ToString(), Markup.Escape(b.Description));
        }
        console.Write(bands);
    }

    private static string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
}
