using System.Text.Json;

namespace SatSR.Tests.Qgis;

/// <summary>
/// SatSR's Processing provider run by QGIS itself, headless (qgis_process and PyQGIS), with the plugin installed by
/// <c>satsr qgis install</c>: its outputs are the CLI's own, bit for bit; QGIS's cancel leaves what --resume needs;
/// a failure reaches QGIS as satsr's one line.
/// </summary>
public class QgisProviderTests
{
    private static string ModelFile => TestFiles.Fixture(Path.Combine("models", "realesr-general-x4v3.onnx"));

    /// <summary>
    /// <paramref name="crop"/> super-resolved by the provider with <paramref name="parameters"/> (qgis_process) and by the
    /// CLI with <paramref name="options"/>, each of which must succeed: the two outputs.
    /// </summary>
    private static async Task<(string FromQgis, string FromCli)> SuperResolveBoth(QgisProfile qgis, string crop, string[] parameters, string[] options)
    {
        var fromQgis = Path.Combine(qgis.Dir, "qgis.tif");
        var fromCli = Path.Combine(qgis.Dir, "cli.tif");
        var (exit, output, error) = await qgis.Process(["run", "satsr:superresolve", "--", $"INPUT={crop}", .. parameters, $"OUTPUT={fromQgis}"]);
        Assert.True(exit == 0, output + error);
        var (cliExit, cliOutput) = await SatsrProcess.Run(["upscale", crop, fromCli, .. options]);
        Assert.True(cliExit == 0, cliOutput);
        return (fromQgis, fromCli);
    }

    [Fact]
    public async Task Super_resolve_in_qgis_writes_the_clis_pixels_and_georeference()
    {
        var qgis = await QgisProfile.Installed();
        var crop = await qgis.Crop("cbers_rgb342_20m.tif", "crop.tif", 400, 300, 96, 96);
        // ×2 of the ×4 network, as a COG with one overview level: options that each change the file.
        var (fromQgis, fromCli) = await SuperResolveBoth(qgis, crop, [$"MODEL_FILE={ModelFile}", "SCALE=1", "FORMAT=1", "OVERVIEWS=2"],
            ["--model", ModelFile, "--scale", "2", "--format", "cog", "--overviews", "2"]);

        var described = await qgis.Describe(fromQgis);
        Assert.Equal(await qgis.Describe(fromCli), described);
        using var json = JsonDocument.Parse(described);
        Assert.Equal([192, 192, 3], json.RootElement.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("COG", json.RootElement.GetProperty("layout").GetString());
    }

    /// <summary>The dialog's first model choice names none, so satsr takes its own for the scale: at ×2 the native ×2 model.</summary>
    [Fact]
    public async Task Super_resolve_in_qgis_without_a_model_runs_satsrs_own_for_the_scale()
    {
        var qgis = await QgisProfile.Installed();
        var crop = await qgis.Crop("cbers_rgb342_20m.tif", "crop.tif", 400, 300, 48, 48);
        var (fromQgis, fromCli) = await SuperResolveBoth(qgis, crop, ["SCALE=1"], ["--scale", "2"]);

        Assert.Equal(TestRasters.ReadAll(fromCli, out _), TestRasters.ReadAll(fromQgis, out var profile));
        Assert.Contains("SATSR_MODEL=satsr-sat-x2", profile.Metadata.GetValueOrDefault("", []));
    }

    /// <param name="ignoringInterrupt">QGIS, and so what it starts, ignores SIGINT: started in the background of a shell script.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancel_in_qgis_leaves_a_partial_output_that_resume_completes_to_the_clis_pixels(bool ignoringInterrupt)
    {
        var qgis = await QgisProfile.Installed();
        // 16 tiles of 64²: the first progress report comes after the first tile, with 15 still to infer.
        var input = await qgis.Crop("cbers2b_pan_town_256.tif", "town.tif", 0, 0, 256, 256);
        var output = Path.Combine(qgis.Dir, "town_x4.tif");
        var parameters = new Dictionary<string, object> { ["INPUT"] = input, ["MODEL_FILE"] = ModelFile, ["TILE"] = 64, ["OUTPUT"] = output };

        var cancelled = await qgis.Script("satsr:superresolve", parameters, cancelAt: 0, ignoringInterrupt);

        Assert.False(cancelled.Ok, "the run was not cancelled");
        Assert.Empty(cancelled.Layers);
        // Cancelled at the first report; a tile or two may still finish before satsr stops (how many depends on the
        // machine's load), but never all of them.
        Assert.NotEmpty(cancelled.Progress);
        Assert.True(cancelled.Progress[^1] < 100, $"the run reached {cancelled.Progress[^1]} % before it stopped");
        var message = Assert.Single(cancelled.Errors);
        Assert.StartsWith("cancelled", message);   // satsr's own line: it stopped on SIGINT, not killed
        Assert.Contains("--resume", message);
        Assert.False(File.Exists(output), "a file at the output path after a cancelled run");
        Assert.True(File.Exists(output + ".partial"), "the partial output was not kept for --resume");

        var resumed = await qgis.Script("satsr:superresolve", new(parameters) { ["RESUME"] = true });
        Assert.True(resumed.Ok, string.Join('\n', resumed.Errors));
        Assert.Equal([output], resumed.Layers);   // loaded into the project, as the dialog does
        Assert.Equal(100, resumed.Progress[^1]);

        var reference = Path.Combine(qgis.Dir, "cli.tif");
        var (exit, text) = await SatsrProcess.Run(["upscale", input, reference, "--model", ModelFile, "--tile", "64"]);
        Assert.True(exit == 0, text);
        Assert.Equal(await qgis.Describe(reference), await qgis.Describe(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task A_bad_input_reaches_qgis_as_satsrs_one_line()
    {
        var qgis = await QgisProfile.Installed();
        // A GeoTIFF cut short: QGIS opens its header, satsr finds its pixels missing.
        var input = await qgis.Crop("cbers2b_pan_town_256.tif", "cut.tif", 0, 0, 96, 96);
        using (var file = File.OpenWrite(input)) file.SetLength(3000);
        var output = Path.Combine(qgis.Dir, "out.tif");
        var (cliExit, cliOutput) = await SatsrProcess.Run(["upscale", input, output]);
        Assert.Equal(1, cliExit);
        var line = Assert.Single(cliOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {input}: ", line);

        var (exit, text, error) = await qgis.Process("run", "satsr:superresolve", "--", $"INPUT={input}", $"OUTPUT={output}");

        Assert.NotEqual(0, exit);
        Assert.Contains("ERROR:\t" + line + "\n", text + error);
        Assert.Empty(Directory.GetFiles(qgis.Dir, "out.tif*"));
    }

    [Fact]
    public async Task Evaluate_in_qgis_returns_the_clis_figures()
    {
        var qgis = await QgisProfile.Installed();
        var reference = await qgis.Crop("cbers2b_pan_town_256.tif", "hr.tif", 64, 64, 128, 128);
        var fromQgis = Path.Combine(qgis.Dir, "qgis.json");
        var fromCli = Path.Combine(qgis.Dir, "cli.json");

        var (exit, output, error) = await qgis.Process("--json", "run", "satsr:evaluate", "--", $"INPUT={reference}", $"MODEL_FILE={ModelFile}",
            "SCALE=0", "DEGRADATION=1", $"OUTPUT={fromQgis}");
        Assert.True(exit == 0, output + error);
        var (cliExit, cliOutput) = await SatsrProcess.Run(["eval", reference, "--model", ModelFile, "--scale", "2", "--degradation", "mtf", "--json", fromCli]);
        Assert.True(cliExit == 0, cliOutput);

        Assert.Equal(File.ReadAllText(fromCli), File.ReadAllText(fromQgis));
        using var cli = JsonDocument.Parse(File.ReadAllText(fromCli));
        using var qgisRun = JsonDocument.Parse(output);
        var results = qgisRun.RootElement.GetProperty("results");
        foreach (var method in new[] { "model", "bicubic", "lanczos" })
        {
            foreach (var figure in new[] { "psnr", "ssim" })
            {
                Assert.Equal(cli.RootElement.GetProperty(method).GetProperty(figure).GetDouble(),
                    results.GetProperty($"{method.ToUpperInvariant()}_{figure.ToUpperInvariant()}").GetDouble(), 9);
            }
        }
        Assert.Equal(2, cli.RootElement.GetProperty("scale").GetInt32());
        Assert.Equal("mtf", cli.RootElement.GetProperty("degradation").GetString());
    }
}
