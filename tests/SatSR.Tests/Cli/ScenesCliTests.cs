using SatSR.Cli;
using SatSR.Geometry;
using SatSR.Tests.Models;
using Spectre.Console.Testing;

namespace SatSR.Tests.Cli;

/// <summary><c>satsr upscale INPUT… FOLDER/</c>: many scenes into one folder, one line per failing scene, --resume skipping done ones.</summary>
public class ScenesCliTests
{
    /// <summary>A 40×40 crop of the panchromatic fixture at column <paramref name="column"/>, as <paramref name="name"/> in <paramref name="dir"/>.</summary>
    private static string Scene(string dir, string name, int column) =>
        TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(column, 0, 40, 40), Path.Combine(dir, name));

    private static string[] Options(string dir) => ["--model", TestModels.WritePixelRepeatX4(dir), "--device", "cpu", "--tile", "16", "--overlap", "4"];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static SortedDictionary<string, DateTime> Times(string dir) =>
        new(Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.GetLastWriteTimeUtc), StringComparer.Ordinal);

    [Fact]
    public async Task A_folder_with_a_corrupt_scene_writes_the_others_and_says_so_in_one_line_then_resume_skips_them()
    {
        using var dir = new TempFolder();
        var scenes = Directory.CreateDirectory(dir.File("scenes")).FullName;
        Scene(scenes, "a.tif", 0);
        File.WriteAllBytes(Path.Combine(scenes, "b.tif"), File.ReadAllBytes(Scene(dir.Path, "b-whole.tif", 60))[..600]);   // cut short: a header, no pixels
        Scene(scenes, "c.tif", 120);
        File.WriteAllText(Path.Combine(scenes, "notes.txt"), "not a raster, and not taken from the folder");
        var output = dir.File("out") + "/";

        var (exit, text, error) = await CliTests.Run(["upscale", scenes, output, .. Options(dir.Path)]);

        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("error: ", line);
        Assert.Contains(Path.Combine(scenes, "b.tif"), line);
        Assert.Equal(["a.tif", "c.tif"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.Contains("3 scenes: 2 written, 0 skipped, 1 failed", text);
        // Each written scene is the single job's output, pixel for pixel.
        var single = dir.File("a-single.tif");
        Assert.Equal(0, (await CliTests.Run(["upscale", Path.Combine(scenes, "a.tif"), single, .. Options(dir.Path)])).Exit);
        Assert.Equal(TestRasters.ReadAll(single, out _), TestRasters.ReadAll(Path.Combine(output, "a.tif"), out _));

        var before = Times(output);
        var (again, againText, againError) = await CliTests.Run(["upscale", scenes, output, "--resume", .. Options(dir.Path)]);
        Assert.Equal(1, again);   // b.tif is still corrupt
        Assert.Single(Lines(againError));
        Assert.Contains("3 scenes: 0 written, 2 skipped, 1 failed", againText);
        Assert.Equal(before, Times(output));   // a.tif and c.tif untouched

        Scene(scenes, "b.tif", 60);
        var (fixedExit, fixedText, fixedError) = await CliTests.Run(["upscale", scenes, output, "--resume", .. Options(dir.Path)]);
        Assert.Equal((0, ""), (fixedExit, fixedError));
        Assert.Contains("3 scenes: 1 written, 2 skipped, 0 failed", fixedText);
        Assert.Equal(before, new SortedDictionary<string, DateTime>(Times(output).Where(kv => kv.Key != "b.tif").ToDictionary(), StringComparer.Ordinal));
        Assert.Equal(["a.tif", "b.tif", "c.tif"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
    }

    /// <summary>On a terminal the bars are live, so a failing scene's line waits until they are done, then comes once.</summary>
    [Fact]
    public async Task On_a_terminal_a_failing_scene_is_one_line_after_the_bars()
    {
        using var dir = new TempFolder();
        var scenes = Directory.CreateDirectory(dir.File("scenes")).FullName;
        Scene(scenes, "a.tif", 0);
        File.WriteAllText(Path.Combine(scenes, "b.tif"), "not a raster");
        var console = new TestConsole().Interactive();
        var error = new TestConsole();
        console.Profile.Width = error.Profile.Width = 400;

        var exit = await SatsrApp.RunAsync(["upscale", scenes, dir.File("out") + "/", .. Options(dir.Path)], console, error);

        Assert.Equal(1, exit);
        Assert.Contains(Path.Combine(scenes, "b.tif"), Assert.Single(Lines(error.Output)));
        Assert.Contains("[2/2] b.tif (failed)", console.Output);
        Assert.Contains("2 scenes: 1 written, 0 skipped, 1 failed", console.Output);
        Assert.Equal(["a.tif"], Directory.GetFiles(dir.File("out")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_pattern_takes_the_files_it_matches_and_names_each_output_after_its_input()
    {
        using var dir = new TempFolder();
        Scene(dir.Path, "tile_1.tif", 0);
        Scene(dir.Path, "tile_2.tif", 40);
        Scene(dir.Path, "other.tif", 80);
        var output = dir.File("out");
        Directory.CreateDirectory(output);   // an existing folder needs no trailing slash

        var (exit, text, error) = await CliTests.Run(["upscale", Path.Combine(dir.Path, "tile_*.tif"), output, .. Options(dir.Path)]);

        Assert.Equal((0, ""), (exit, error));
        Assert.Equal(["tile_1.tif", "tile_2.tif"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.Contains("2 scenes: 2 written, 0 skipped, 0 failed", text);
        TestRasters.ReadAll(Path.Combine(output, "tile_2.tif"), out var written);
        Assert.Equal((160, 160), (written.Width, written.Height));
    }

    [Fact]
    public async Task A_pattern_that_matches_nothing_is_one_line_and_writes_nothing()
    {
        using var dir = new TempFolder();
        var (exit, _, error) = await CliTests.Run(["upscale", Path.Combine(dir.Path, "*.tif"), dir.File("out") + "/", .. Options(dir.Path)]);
        Assert.Equal(1, exit);
        Assert.Contains("*.tif: matches no file", Assert.Single(Lines(error)));
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public async Task Two_inputs_of_one_name_are_refused_before_anything_is_written()
    {
        using var dir = new TempFolder();
        var first = Scene(Directory.CreateDirectory(dir.File("x")).FullName, "scene.tif", 0);
        var second = Scene(Directory.CreateDirectory(dir.File("y")).FullName, "scene.tif", 40);
        var (exit, _, error) = await CliTests.Run(["upscale", first, second, dir.File("out") + "/", .. Options(dir.Path)]);
        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"both {first} and {second} would be written there", line);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
