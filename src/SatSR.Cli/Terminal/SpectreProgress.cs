using SatSR.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SatSR.Cli.Terminal;

/// <summary>
/// Shows <see cref="UpscaleProgress"/> as a Spectre progress bar (tiles, MP/s, ETA) on a terminal, and as plain
/// lines with the same figures elsewhere (CI, batch logs), where a bar would only print percentages.
/// </summary>
internal static class SpectreProgress
{
    private const string Tiles = "tiles", Megapixels = "mp", Seconds = "seconds", Stage = "stage";

    public static async Task<T> Run<T>(IAnsiConsole console, string description, Func<IProgress<UpscaleProgress>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await Task.Run(() => work(new LineReporter(console, description)));
        }
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
            // Each stage after inference counts its own units: the bar starts again under its own name.
            task.Description = description + Suffix(value.Stage);
            task.MaxValue = Math.Max(1, value.TilesTotal);
            task.Value = value.TilesDone;
            task.State.Update<double>(Tiles, _ => value.TilesDone);
            task.State.Update<double>(Stage, _ => (double)value.Stage);
            task.State.Update<double>(Megapixels, _ => value.InputMegapixelsDone);
            task.State.Update<double>(Seconds, _ => value.Elapsed.TotalSeconds);
        }
    }

    /// <summary>A line at the start, every 10 % or 30 s, and at the end of each stage.</summary>
    private sealed class LineReporter(IAnsiConsole console, string description) : IProgress<UpscaleProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
        private UpscaleStage? _stage;
        private int _tenths = -1;
        private TimeSpan _last, _stageStart;

        public void Report(UpscaleProgress value)
        {
            var total = Math.Max(1, value.TilesTotal);
            var tenths = 10 * value.TilesDone / total;
            if (value.Stage == _stage && tenths == _tenths && value.Elapsed - _last < Interval) return;
            if (value.Stage != _stage) _stageStart = value.Stage == UpscaleStage.Infer ? TimeSpan.Zero : value.Elapsed;
            (_stage, _tenths, _last) = (value.Stage, tenths, value.Elapsed);

            var seconds = (value.Elapsed - _stageStart).TotalSeconds;
            var rate = seconds > 0 ? $", {value.InputMegapixelsDone / seconds:F2} MP/s" : "";
            var eta = value.TilesDone > 0 && value.TilesDone < total
                ? $", ETA {TimeSpan.FromSeconds(Math.Round(seconds * (total - value.TilesDone) / value.TilesDone)):g}"
                : "";
            var count = Unit(value.Stage) is { } unit ? $"{value.TilesDone}/{total} {unit} ({100.0 * value.TilesDone / total:F0} %)" : $"{value.TilesDone} %";
            console.WriteLine($"{description}{Suffix(value.Stage)}: {count}{rate}{eta}");
        }
    }

    private static string Suffix(UpscaleStage stage) => stage switch
    {
        UpscaleStage.Resample => " (resampling)",
        UpscaleStage.Overviews => " (overviews)",
        UpscaleStage.Copy => " (COG copy)",
        _ => "",
    };

    /// <summary>What a stage counts; null for the whole-image GDAL steps, which report percent done.</summary>
    private static string? Unit(UpscaleStage stage) => stage switch
    {
        UpscaleStage.Infer => "tiles",
        UpscaleStage.Resample => "pieces",
        _ => null,
    };

    private sealed class TilesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            Unit((UpscaleStage)task.State.Get<double>(Stage)) is { } unit
                ? new Markup($"[grey]{task.State.Get<double>(Tiles):0}/{task.MaxValue:0} {unit}[/]")
                : new Markup("");
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
