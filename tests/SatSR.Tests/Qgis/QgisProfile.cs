using System.Diagnostics;
using System.Text.Json;

namespace SatSR.Tests.Qgis;

/// <summary>
/// A throwaway QGIS configuration (QGIS_CUSTOM_CONFIG_PATH, and XDG folders for what Qt writes outside it) in a test
/// folder, so nothing reaches the user's ~/.local/share/QGIS; the SatSR plugin installed there by <c>satsr qgis install</c>,
/// and QGIS run headless on it: Debian's <c>qgis_process.bin</c> (its /usr/bin/qgis_process wrapper passes an option the
/// program refuses) and PyQGIS scripts under Debian's python3.
/// </summary>
internal sealed class QgisProfile
{
    private const string QgisProcess = "/usr/bin/qgis_process.bin", Python3 = "/usr/bin/python3";

    private QgisProfile(string dir) => Dir = dir;

    /// <summary>The test's folder: the configuration lives in it under config/, the test's rasters beside.</summary>
    public string Dir { get; }

    public string Config => Path.Combine(Dir, "config");

    public string Plugins => Path.Combine(Config, "profiles", "default", "python", "plugins");

    /// <summary>A fresh configuration, nothing installed.</summary>
    public static QgisProfile Empty()
    {
        var profile = new QgisProfile(TestFiles.TempDir());
        foreach (var folder in new[] { "config", "xdg-config", "xdg-data", "xdg-cache" }) Directory.CreateDirectory(Path.Combine(profile.Dir, folder));
        // Qt refuses a runtime folder that others may read (QGIS runs on Linux only here; the check is for the analyser).
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.Combine(profile.Dir, "xdg-runtime"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return profile;
    }

    /// <summary>A fresh configuration with the plugin installed by the one command a user runs.</summary>
    public static async Task<QgisProfile> Installed()
    {
        var profile = Empty();
        var (exit, output) = await profile.Satsr("qgis", "install");
        Assert.True(exit == 0, output);
        return profile;
    }

    /// <summary>The environment of every process here; no SATSR_ROOT or SATSR_PROGRAM of the developer's shell.</summary>
    public Dictionary<string, string?> Environment => new()
    {
        ["QT_QPA_PLATFORM"] = "offscreen",
        ["QGIS_CUSTOM_CONFIG_PATH"] = Config,
        ["XDG_CONFIG_HOME"] = Path.Combine(Dir, "xdg-config"),
        ["XDG_DATA_HOME"] = Path.Combine(Dir, "xdg-data"),
        ["XDG_CACHE_HOME"] = Path.Combine(Dir, "xdg-cache"),
        ["XDG_RUNTIME_DIR"] = Path.Combine(Dir, "xdg-runtime"),
        ["SATSR_ROOT"] = null,
        ["SATSR_PROGRAM"] = null,
    };

    /// <summary>satsr (the program the tests run, <see cref="SatsrProcess"/>) with this configuration.</summary>
    public Task<(int Exit, string Output)> Satsr(params string[] args) => SatsrProcess.Run(args, environment: Environment);

    /// <summary><c>qgis_process.bin ARGS</c>: exit code, standard output, standard error.</summary>
    public Task<(int Exit, string Output, string Error)> Process(params string[] args) => Run(QgisProcess, args);

    /// <summary>Debian's python3 (python3-gdal, PyQt5) with this configuration: exit code, standard output, standard error.</summary>
    public Task<(int Exit, string Output, string Error)> Python(params string[] args) => Run(Python3, args);

    /// <summary>
    /// Runs Processing algorithm <paramref name="algorithm"/> in a PyQGIS script with a feedback that cancels at the
    /// first progress report of at least <paramref name="cancelAt"/> percent: whether it succeeded, the errors it reported,
    /// the progress reports, and the valid layers in the project afterwards. <paramref name="ignoringInterrupt"/>: the
    /// script ignores SIGINT, as a QGIS started in the background of a shell script does, and so what it starts.
    /// </summary>
    public async Task<ScriptRun> Script(string algorithm, Dictionary<string, object> parameters, double cancelAt = double.PositiveInfinity,
        bool ignoringInterrupt = false)
    {
        var script = Path.Combine(Dir, "run_algorithm.py");
        await File.WriteAllTextAsync(script, RunAlgorithm);
        var (exit, output, error) = await Run(Python3, [script, Plugins, algorithm, JsonSerializer.Serialize(parameters),
            cancelAt.ToString("R", System.Globalization.CultureInfo.InvariantCulture), ignoringInterrupt ? "ignore-sigint" : "-"]);
        Assert.True(exit == 0, $"the PyQGIS script failed: {error}");
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        return new ScriptRun(root.GetProperty("ok").GetBoolean(),
            [.. root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)],
            [.. root.GetProperty("progress").EnumerateArray().Select(e => e.GetDouble())],
            [.. root.GetProperty("layers").EnumerateArray().Select(e => e.GetString()!)]);
    }

    /// <summary>What GDAL (python3-gdal, not SatSR's reader) sees in a raster: size, types, georeference, layout, a hash of every band's pixels.</summary>
    public async Task<string> Describe(string raster)
    {
        var (exit, output, error) = await Run(Python3, ["-c", DescribeRaster, raster]);
        Assert.True(exit == 0, error);
        return output.Trim();
    }

    /// <summary>
    /// A copy of a window (x, y, width, height) of a fixture, made by GDAL's gdal_translate (its Python form): the tests
    /// never hand QGIS a fixture itself, as QGIS writes .aux.xml files beside the rasters it opens.
    /// </summary>
    public async Task<string> Crop(string fixture, string name, params int[] window)
    {
        var path = Path.Combine(Dir, name);
        var (exit, _, error) = await Python("-c", """
            import json, sys
            from osgeo import gdal
            gdal.UseExceptions()
            gdal.Translate(sys.argv[2], sys.argv[1], srcWin=json.loads(sys.argv[3]))
            """, TestFiles.Fixture(fixture), path, JsonSerializer.Serialize(window));
        Assert.True(exit == 0, error);
        return path;
    }

    private async Task<(int Exit, string Output, string Error)> Run(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Dir };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in Environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A guard against a hang, far above what any run here takes on a loaded machine; not a speed claim.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not end within 10 minutes");
        }
        return (process.ExitCode, await output, await error);
    }

    public sealed record ScriptRun(bool Ok, IReadOnlyList<string> Errors, IReadOnlyList<double> Progress, IReadOnlyList<string> Layers);

    // QGIS as a library: the installed plugin imported from the profile's plugin folder and started as QGIS starts it.
    private const string RunAlgorithm = """
        import json
        import signal
        import sys

        from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback, QgsProcessingOutputLayerDefinition, QgsProject

        plugins, algorithm, parameters, cancel_at = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
        if sys.argv[5] == "ignore-sigint":
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        application = QgsApplication([], False)
        application.initQgis()
        sys.path[:0] = ["/usr/share/qgis/python/plugins", plugins]
        from processing.core.Processing import Processing

        Processing.initialize()
        import satsr

        plugin = satsr.classFactory(None)
        plugin.initProcessing()


        class Feedback(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.errors, self.reports = [], []
                self.progressChanged.connect(self.reported)

            def reported(self, percent):
                self.reports.append(percent)
                if percent >= cancel_at:
                    self.cancel()

            def reportError(self, error, fatal=False):
                self.errors.append(error)


        # As the algorithm dialog runs it: outputs go to the project, and what succeeded is loaded as layers.
        from processing.gui.Postprocessing import handleAlgorithmResults

        definition = QgsApplication.processingRegistry().algorithmById(algorithm)
        for output in definition.destinationParameterDefinitions():
            parameters[output.name()] = QgsProcessingOutputLayerDefinition(parameters[output.name()], QgsProject.instance())
        feedback = Feedback()
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        results, ok = definition.run(parameters, context, feedback)
        if ok:
            handleAlgorithmResults(definition, context, feedback, False, parameters)
        layers = [layer.source() for layer in QgsProject.instance().mapLayers().values() if layer.isValid()]
        print(json.dumps({"ok": ok, "errors": feedback.errors, "progress": feedback.reports, "layers": layers}))
        """;

    private const string DescribeRaster = """
        import hashlib, json, sys
        from osgeo import gdal
        gdal.UseExceptions()
        d = gdal.Open(sys.argv[1])
        bands = [d.GetRasterBand(i + 1) for i in range(d.RasterCount)]
        print(json.dumps({
            "size": [d.RasterXSize, d.RasterYSize, d.RasterCount],
            "types": [gdal.GetDataTypeName(b.DataType) for b in bands],
            "nodata": [b.GetNoDataValue() for b in bands],
            "geotransform": d.GetGeoTransform(),
            "crs": d.GetProjection(),
            "layout": d.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"),
            "overviews": [b.GetOverviewCount() for b in bands],
            "pixels": [hashlib.sha256(b.ReadRaster()).hexdigest() for b in bands],
        }))
        """;
}
