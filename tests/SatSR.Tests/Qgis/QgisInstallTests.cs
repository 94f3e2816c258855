namespace SatSR.Tests.Qgis;

/// <summary><c>satsr qgis install</c>: the one command that puts the Processing provider into a QGIS profile and enables it.</summary>
public class QgisInstallTests
{
    [Fact]
    public async Task Install_makes_qgis_load_the_provider_with_its_three_algorithms()
    {
        var qgis = await QgisProfile.Installed();

        var (exit, plugins, error) = await qgis.Process("plugins");
        Assert.True(exit == 0, error);
        Assert.Contains("\n* satsr\n", plugins);   // "*": loaded, with a Processing provider
        var (listed, algorithms, listError) = await qgis.Process("list");
        Assert.True(listed == 0, listError);
        Assert.Contains("\tsatsr:superresolve\tSuper-resolve raster\n", algorithms);
        Assert.Contains("\tsatsr:evaluate\tEvaluate a model\n", algorithms);
        Assert.Contains("\tsatsr:finetune\tFine-tune a model\n", algorithms);
    }

    [Fact]
    public async Task Install_keeps_the_profiles_settings_and_a_second_install_replaces_the_first()
    {
        var qgis = QgisProfile.Empty();
        // QGIS writes the profile's settings itself on its first start.
        Assert.Equal(0, (await qgis.Process("plugins")).Exit);
        var before = await Settings(qgis);
        Assert.NotEmpty(before);
        Assert.DoesNotContain(before, s => s.StartsWith("PythonPlugins/satsr="));

        Assert.Equal(0, (await qgis.Satsr("qgis", "install")).Exit);
        File.WriteAllText(Path.Combine(qgis.Plugins, "satsr", "left-over.py"), "");
        var (exit, output) = await qgis.Satsr("qgis", "install");

        Assert.True(exit == 0, output);
        var after = await Settings(qgis);
        Assert.Equal(before.Append("PythonPlugins/satsr=true").Order(StringComparer.Ordinal), after);
        Assert.False(File.Exists(Path.Combine(qgis.Plugins, "satsr", "left-over.py")), "the second install kept a file of the first");
        Assert.Contains("Processing Toolbox", output);
    }

    [Fact]
    public async Task A_profile_that_does_not_exist_is_refused_in_one_line()
    {
        var qgis = QgisProfile.Empty();
        Assert.Equal(0, (await qgis.Process("plugins")).Exit);

        var (exit, output) = await qgis.Satsr("qgis", "install", "--profile", "defualt");

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: --profile defualt: no such QGIS profile in {Path.Combine(qgis.Config, "profiles")} (there: default)", line);
        Assert.Equal(["default"], Directory.GetDirectories(Path.Combine(qgis.Config, "profiles")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_plugin_folder_named_satsr_that_is_not_satsrs_is_left_alone()
    {
        var qgis = QgisProfile.Empty();
        var theirs = Path.Combine(qgis.Plugins, "satsr");
        Directory.CreateDirectory(theirs);
        File.WriteAllText(Path.Combine(theirs, "metadata.txt"), "[general]\nname=Someone else's\n");

        var (exit, output) = await qgis.Satsr("qgis", "install");

        Assert.Equal(1, exit);
        Assert.Equal($"error: {theirs}: a plugin folder that is not SatSR's; move it away, then install again", output.Trim());
        Assert.Equal(["metadata.txt"], Directory.GetFiles(theirs).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(qgis.Config, "profiles", "default", "QGIS", "QGIS3.ini")), "enabled a plugin it did not install");
    }

    /// <summary>Every key=value of the default profile's settings as Qt's own QSettings reads them, sorted.</summary>
    private static async Task<string[]> Settings(QgisProfile qgis)
    {
        var ini = Path.Combine(qgis.Config, "profiles", "default", "QGIS", "QGIS3.ini");
        var (exit, output, error) = await qgis.Python("-c", """
            import sys
            from PyQt5.QtCore import QSettings
            s = QSettings(sys.argv[1], QSettings.IniFormat)
            for k in s.allKeys():
                print(f"{k}={s.value(k)}")
            """, ini);
        Assert.True(exit == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }
}
