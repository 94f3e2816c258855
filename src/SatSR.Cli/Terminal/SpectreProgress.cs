using SatSR.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SatSR.Cli.Terminal;

/// <summary>
/// Shows <see cref="UpscaleProgress"/> as a Spectre progress bar (tiles, MP/s, ETA) on a terminal; on a
/// non-interactive console Spectre falls back to plain milestone lines, which suits CI and batch logs.
/// </summary>
internal static class SpectreProgress
{
    private const string Tiles = "tiles", Megapixels = "mp", Seconds = "seconds", Stage = "stage";

    public static async Task<T> Run<T>(IAnsiConsole console, string description, Func<IProgress<UpscaleProgress>, T> work)
    {
        return await console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new TilesColumn(),
                new MegapixelRateColumn(),
                new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(description, maxValue: 1);
                var result = await Task.Run(() => work(new Reporter(task, description)));
                task.Value = task.MaxValue;
                return result;
            });
    }

    private sealed class Reporter(ProgressTask task, string description) : IProgress<UpscaleProgress>
    {
        public void Report(UpscaleProgress value)
        {
            // --outscale's resample pass counts output pieces, not tiles: the bar starts again under its own name.
            task.Description = value.Stage == UpscaleStage.Resample ? $"{description} (resampling)" : description;
            task.MaxValue = Math.Max(1, value.TilesTotal);
            task.Value = value.TilesDone;
            task.State.Update<double>(Tiles, _ => value.TilesDone);
            task.State.Update<double>(Stage, _ => (double)value.Stage);
            task.State.Update<double>(Megapixels, _ => value.InputMegapixelsDone);
            task.State.Update<double>(Seconds, _ => value.Elapsed.TotalSeconds);
        }
    }

    private sealed class TilesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup($"[grey]{task.State.Get<double>(Tiles):0}/{task.MaxValue:0} {((UpscaleStage)task.State.Get<double>(Stage) == UpscaleStage.Resample ? "pieces" : "tiles")}[/]");
    }

    private sealed class MegapixelRateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var seconds = task.State.Get<double>(Seconds);
            return new Markup(seconds <= 0 ? "" : $"[blue]{task.State.Get<double>(Megapixels) / seconds:F2} MP/s[/]");
        }
    }
}
