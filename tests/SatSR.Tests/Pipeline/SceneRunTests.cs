using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;

namespace SatSR.Tests.Pipeline;

/// <summary>Many scenes in one run: one engine, the pixels of single runs, and an interrupted run resumed scene by scene.</summary>
public class SceneRunTests
{
    private static UpscaleOptions Options(string output) => new()
    {
        InputPath = "unused: each scene sets its own",
        OutputPath = output,
        Model = TestModels.GeneralX4,
        Device = ExecutionDevice.Cpu,
        TileSize = 16,
        Overlap = 8,
        CreationOptions = new Dictionary<string, string> { ["BLOCKXSIZE"] = "16", ["BLOCKYSIZE"] = "16" },
    };

    private static IReadOnlyList<Scene> Scenes(string dir)
    {
        var inputs = new[] { 0, 48, 96 }.Select(c => TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400 + c, 400, 48, 96), Path.Combine(dir, $"s{c}.tif"))).ToList();
        return SceneRun.Plan(inputs, Directory.CreateDirectory(Path.Combine(dir, "out")).FullName);
    }

    /// <summary>Cancels once scene <paramref name="scene"/> has inferred <paramref name="tiles"/> tiles.</summary>
    private sealed class CancelIn(int scene, int tiles, CancellationTokenSource cts) : IProgress<SceneProgress>
    {
        public void Report(SceneProgress value)
        {
            if (value.Index == scene && value.Step?.TilesDone >= tiles) cts.Cancel();
        }
    }

    [Fact]
    public void Scenes_of_one_shape_share_one_engine_and_get_the_pixels_of_single_runs()
    {
        var dir = TestFiles.TempDir();
        var scenes = Scenes(dir);
        using var engines = new EngineCache();

        var results = SceneRun.Run(scenes, Options(Path.Combine(dir, "out")), engines: engines);

        Assert.All(results, r => Assert.Equal(SceneOutcome.Written, r.Outcome));
        Assert.Equal(1, engines.Created);
        foreach (var scene in scenes)
        {
            var single = Upscaler.Run(Options(scene.OutputPath + ".single.tif") with { InputPath = scene.InputPath }).OutputPath;
            Assert.Equal(TestRasters.ReadAll(single, out _), TestRasters.ReadAll(scene.OutputPath, out _));
        }
    }

    [Fact]
    public void An_interrupted_run_resumes_skipping_done_scenes_and_continuing_the_half_done_one()
    {
        var dir = TestFiles.TempDir();
        var scenes = Scenes(dir);
        var options = Options(Path.Combine(dir, "out"));
        using (var cts = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() => SceneRun.Run(scenes, options, new CancelIn(1, 14, cts), cts.Token));
        }
        Assert.True(File.Exists(scenes[0].OutputPath));
        Assert.True(File.Exists(scenes[1].OutputPath + ".partial.journal"));
        Assert.False(File.Exists(scenes[2].OutputPath));
        var first = File.GetLastWriteTimeUtc(scenes[0].OutputPath);

        var results = SceneRun.Run(scenes, options with { Resume = true });

        Assert.Equal([SceneOutcome.Skipped, SceneOutcome.Written, SceneOutcome.Written], results.Select(r => r.Outcome));
        Assert.Equal(first, File.GetLastWriteTimeUtc(scenes[0].OutputPath));
        Assert.True(results[1].Result!.TilesInferred < results[2].Result!.TilesInferred,
            $"the resumed scene inferred {results[1].Result!.TilesInferred} tiles, a whole one {results[2].Result!.TilesInferred}");
        foreach (var scene in scenes)
        {
            var single = Upscaler.Run(options with { InputPath = scene.InputPath, OutputPath = scene.OutputPath + ".single.tif" }).OutputPath;
            Assert.Equal(TestRasters.ReadAll(single, out _), TestRasters.ReadAll(scene.OutputPath, out _));
        }
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(dir, "out")), f => f.Contains(".partial", StringComparison.Ordinal));
    }
}
