using System.Collections.Concurrent;
using SatSR.Pipeline;
using SatSR.Pipeline.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SatSR.Cli.Terminal;

/// <summary>
/// Shows <see cref="UpscaleProgress"/> as a Spectre progress bar (tiles, MP/s, ETA) on a terminal, and as plain
/// lines with the same figures elsewhere (CI, batch logs), where a bar would only print percentages.
/// </summary>
internal static class SpectreProgress
{
    private const string Tiles = "tiles", Megapixels = "mp", Seconds = "seconds", Stage = "stage", Scenes = "scenes";

    public static async Task<T> Run<T>(IAnsiConsole console, string description, Func<IProgress<UpscaleProgress>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await Task.Run(() => work(new LineReporter(console, description)));
        }
        return await Bars(console).StartAsync(async ctx =>
        {
            // A description is markup: a file name's brackets are text.
            var task = ctx.AddTask(Markup.Escape(description), maxValue: 1);
            var result = await Task.Run(() => work(new Reporter(task, Markup.Escape(description))));
            task.Value = task.MaxValue;
            return result;
        });
    }

    /// <summary>
    /// Many scenes: on a terminal a bar for the run and one per scene as it starts, elsewhere each scene's plain lines
    /// headed [i/n]. <paramref name="failed"/> gets each scene that failed: at once on plain lines, after the bars on a
    /// terminal (a line in between would tear them).
    /// </summary>
    public static async Task<T> RunScenes<T>(IAnsiConsole console, int count, Func<IProgress<SceneProgress>, T> work, Action<SceneResult> failed)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await Task.Run(() => work(new SceneLines(console, failed)));
        }
        var deferred = new ConcurrentQueue<SceneResult>();
        try
        {
            return await Bars(console).StartAsync(async ctx =>
            {
                var run = ctx.AddTask($"{count} scenes", maxValue: count);
                run.State.Update<double>(Scenes, _ => 1);
                var result = await Task.Run(() => work(new SceneBars(ctx, run, deferred.Enqueue)));
                run.Value = run.MaxValue;
                return result;
            });
        }
        finally
        {
            foreach (var scene in deferred) failed(scene);
        }
    }

    private static Progress Bars(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(
            new TaskDescriptionColumn(),
            new ProgressBarColumn(),
            new PercentageColumn(),
            new TilesColumn(),
            new MegapixelRateColumn(),
            new RemainingTimeColumn());

    private static string Heading(SceneProgress value) => $"[{value.Index + 1}/{value.Count}] {Path.GetFileName(value.Scene.InputPath)}";

    /// <summary><see cref="Heading"/> as a bar's description, which is markup.</summary>
    private static string BarHeading(SceneProgress value) => Markup.Escape(Heading(value));

    /// <summary>A bar per scene under the run's bar.</summary>
    private sealed class SceneBars(ProgressContext context, ProgressTask run, Action<SceneResult> failed) : IProgress<SceneProgress>
    {
        private ProgressTask? _task;
        private Reporter? _reporter;

        public void Report(SceneProgress value)
        {
            if (value.Finished is { } result)
            {
                _task!.Value = _task.MaxValue;
                if (result.Outcome != SceneOutcome.Written) _task.Description = BarHeading(value) + (result.Outcome == SceneOutcome.Failed ? " (failed)" : " (done before)");
                if (result.Outcome == SceneOutcome.Failed) failed(result);
                run.Increment(1);
            }
            else if (value.Step is { } step)
            {
                _reporter!.Report(step);
            }
            else
            {
                _task = context.AddTask(BarHeading(value), maxValue: 1);
                _reporter = new Reporter(_task, BarHeading(value));
            }
        }
    }

    /// <summary>Each scene's plain lines, headed [i/n], and a line for a scene skipped.</summary>
    private sealed class SceneLines(IAnsiConsole console, Action<SceneResult> failed) : IProgress<SceneProgress>
    {
        private LineReporter? _reporter;

        public void Report(SceneProgress value)
        {
            if (value.Finished is { Outcome: SceneOutcome.Failed } result) failed(result);
            else if (value.Finished is { Outcome: SceneOutcome.Skipped }) console.WriteLine($"{Heading(value)}: skipped, {value.Scene.OutputPath} is there (--resume)");
            else if (value.Step is { } step) _reporter!.Report(step);
            else if (value.Finished is null) _reporter = new LineReporter(console, Heading(value));
        }
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
        UpscaleStage.Copy => " (copy)",
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
            task.State.Get<double>(Scenes) > 0 ? new Markup($"[grey]{task.Value:0}/{task.MaxValue:0} scenes[/]")
            : Unit((UpscaleStage)task.State.Get<double>(Stage)) is { } unit
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
