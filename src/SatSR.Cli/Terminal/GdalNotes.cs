using System.Collections.Concurrent;
using SatSR.Raster;
using Spectre.Console;

namespace SatSR.Cli.Terminal;

/// <summary>
/// GDAL's warnings during a command, as notes printed when it ends (a line in the middle of a progress bar would tear
/// it): each distinct message once, with the file it came from, e.g. the CRS that disagrees with the EPSG registry
/// and the configuration option that settles it.
/// </summary>
internal sealed class GdalNotes : IProgress<GdalWarning>
{
    private readonly ConcurrentQueue<GdalWarning> _heard = new();

    public void Report(GdalWarning value) => _heard.Enqueue(value);

    /// <summary>Runs <paramref name="body"/> listening to GDAL, then prints what it said, whether the body succeeded or failed.</summary>
    public static async Task<T> Around<T>(IAnsiConsole console, Func<Task<T>> body)
    {
        var notes = new GdalNotes();
        using var listening = GdalWarnings.Listen(notes);
        try
        {
            return await body();
        }
        finally
        {
            foreach (var warning in notes._heard)
            {
                console.MarkupLineInterpolated($"[yellow]note:[/] GDAL: {warning.Message}{(warning.File is { } file ? $" (file {file})" : "")}");
            }
        }
    }
}
