using SatSR.Geometry;
using SatSR.Raster;
using SatSR.Training.Data;
using DegradationKind = SatSR.Quality.DegradationKind;

namespace SatSR.Training.Tests;

/// <summary>
/// Training on a corpus (issue 30): several rasters of different band counts and resolutions, each drawn from by its
/// weight, never at a masked pixel or inside a held-out window.
/// </summary>
public class CorpusTests
{
    // A pan scene at 2.5 m with a black (nodata) wedge and scattered holes.
    private static bool PanHole(int x, int y) => x < y / 3 || x % 61 == 5 && y % 47 == 7;
    private static byte Pan(int x, int y) => PanHole(x, y) ? (byte)0 : (byte)(1 + (x * 5 + y * 3) % 250);

    // An RGB orthophoto at 0.25 m whose alpha masks a block out (an overlay, as in the Berlin image).
    private static bool Masked(int x, int y) => x is >= 20 and < 44 && y is >= 10 and < 30;
    private static double Rgba(int band, int x, int y) => band == 4 ? (Masked(x, y) ? 0 : 255) : 1 + (band * 40 + x * 2 + y) % 250;

    private static (string Pan, string Rgba) TwoFiles(TempFolder temp)
    {
        var pan = TrainingFixtures.Raster(temp.File("pan.tif"), 200, 160, RasterDataType.Byte, [ColorInterpretation.Gray],
            (_, x, y) => Pan(x, y), transform: new GeoTransform(500000, 2.5, 0, 7000000, 0, -2.5));
        var rgba = TrainingFixtures.Raster(temp.File("rgba.tif"), 96, 96, RasterDataType.Byte,
            [ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue, ColorInterpretation.Alpha], Rgba,
            transform: new GeoTransform(390000, 0.25, 0, 5800000, 0, -0.25));
        return (pan, rgba);
    }

    /// <summary>
    /// Weight 1 for the pan file and 3 for the RGBA one: over 3,200 patches the RGBA file's share is 3/4 (binomial
    /// σ 0.0077; the bound is ±5σ), although it allows far fewer positions than the pan file, which a draw uniform over
    /// positions would follow. No patch holds a nodata or alpha-masked pixel or touches the held-out window, and both
    /// group kinds (pan alone, RGB triple) are drawn.
    /// </summary>
    [Fact]
    public void Two_files_of_different_band_counts_are_drawn_by_their_weights_and_never_at_a_masked_pixel()
    {
        using var temp = new TempFolder();
        var (pan, rgba) = TwoFiles(temp);
        var held = new Window(0, 144, 200, 16);
        var corpus = Corpus.Resolve([pan, rgba], new Dictionary<string, double> { [rgba] = 3 }, [(pan, held)]);
        var images = corpus.Select(f => TrainingImage.Load(f.Path, 3)).ToList();
        var sampler = new PatchSampler(images, 16, 4, corpus.Select(f => f.HeldOut).ToList(), corpus.Select(f => f.Weight).ToList());
        Assert.True(sampler.PositionsOf(0) > 2 * sampler.PositionsOf(1), $"{sampler.PositionsOf(0)} vs {sampler.PositionsOf(1)} positions");

        var fromRgba = 0;
        var total = 0;
        var groups = new HashSet<int>();
        for (var step = 1; step <= 400; step++)
        {
            foreach (var patch in sampler.Draw(11, step, 8))
            {
                total++;
                var w = patch.Window;
                groups.Add(patch.Group.Length);
                if (patch.Image == 1)
                {
                    fromRgba++;
                    for (var y = w.Row; y < w.Bottom; y++)
                        for (var x = w.Column; x < w.Right; x++) Assert.False(Masked(x, y), $"step {step}: {w} holds a masked pixel at {x},{y}");
                }
                else
                {
                    Assert.False(w.Intersects(held), $"step {step}: {w} touches the held-out window");
                    for (var y = w.Row; y < w.Bottom; y++)
                        for (var x = w.Column; x < w.Right; x++) Assert.False(PanHole(x, y), $"step {step}: {w} holds nodata at {x},{y}");
                }
            }
        }
        Assert.InRange((double)fromRgba / total, 0.75 - 0.039, 0.75 + 0.039);
        Assert.Equal([1, 3], groups.Order());
    }

    /// <summary>A run of a few steps trains on both files and exports; without the held-out window both still run.</summary>
    [Fact]
    public void A_corpus_run_of_a_few_steps_uses_both_files()
    {
        using var temp = new TempFolder();
        var (pan, rgba) = TwoFiles(temp);
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var started = new List<TrainingStarted>();
        var options = TrainingFixtures.Options(model, pan, temp.File("out.pth")) with
        {
            Inputs = [pan, rgba],
            Weights = new Dictionary<string, double> { [rgba] = 2 },
            HeldOut = [(rgba, new Window(0, 80, 96, 16))],
            Validation = new Window(0, 128, 200, 32),
            Patch = 32,
            Degradation = DegradationKind.Mixed,
        };
        Trainer.Run(options, new Progress(started.Add), CancellationToken.None);
        Assert.Equal(2, started.Single().Files);
        Assert.True(File.Exists(options.OutputPath));
    }

    /// <summary>
    /// A folder gives its rasters sorted by name (not other files, not subfolders); a folder's weight applies to its files
    /// unless a file has its own; files given alone weigh 1.
    /// </summary>
    [Fact]
    public void A_folder_gives_its_rasters_in_name_order_with_the_folder_weight_unless_a_file_has_its_own()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(temp.File("tiles")).FullName;
        var b = TrainingFixtures.Raster(Path.Combine(folder, "b.tif"), 40, 40, Pan);
        var a = TrainingFixtures.Raster(Path.Combine(folder, "a.TIF"), 40, 40, Pan);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a raster");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        TrainingFixtures.Raster(Path.Combine(folder, "sub", "c.tif"), 40, 40, Pan);
        var alone = TrainingFixtures.Raster(temp.File("alone.tif"), 40, 40, Pan);

        var corpus = Corpus.Resolve([folder + "/", alone], new Dictionary<string, double> { [folder] = 0.5, [b] = 4 }, []);
        Assert.Equal([a, b, alone], corpus.Select(f => f.Path));
        Assert.Equal([0.5, 4, 1], corpus.Select(f => f.Weight));
    }

    [Fact]
    public void A_weight_for_a_path_that_is_not_an_input_is_refused_naming_it()
    {
        using var temp = new TempFolder();
        var pan = TrainingFixtures.Raster(temp.File("pan.tif"), 40, 40, Pan);
        var e = Assert.Throws<TrainingException>(() => Corpus.Resolve([pan], new Dictionary<string, double> { [temp.File("other.tif")] = 2 }, []));
        Assert.Contains("other.tif", e.Message);
        var zero = Assert.Throws<TrainingException>(() => Corpus.Resolve([pan], new Dictionary<string, double> { [pan] = 0 }, []));
        Assert.Contains("positive", zero.Message);
    }

    /// <summary>A file of the corpus too small (or too masked) for one patch stops the run before anything is written, naming it.</summary>
    [Fact]
    public void A_file_with_no_room_for_a_patch_is_named_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var (pan, _) = TwoFiles(temp);
        var tiny = TrainingFixtures.Raster(temp.File("tiny.tif"), 24, 24, (x, y) => 50);
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, pan, temp.File("out.pth")) with { Inputs = [pan, tiny], Patch = 32, Validation = new Window(0, 128, 200, 32) };
        var e = Assert.Throws<TrainingException>(() => Trainer.Run(options, null, CancellationToken.None));
        Assert.Contains("tiny.tif", e.Message);
        Assert.False(File.Exists(options.OutputPath));
        Assert.False(File.Exists(options.CheckpointPath));
    }

    private sealed class Progress(Action<TrainingStarted> started) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value)
        {
            if (value is TrainingStarted s) started(s);
        }
    }
}
