using System.CommandLine;
using System.Text.RegularExpressions;
using SatSR.Cli.Terminal;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr qgis install [--profile NAME]</c>: copies the Processing plugin (qgis/satsr in the source tree) into a QGIS
/// user profile, records which satsr it runs, and enables it in the profile's settings, as QGIS's plugin manager does.
/// </summary>
internal static partial class QgisCommand
{
    private const string Plugin = "satsr";

    private static readonly Option<string?> Profile = new("--profile") { Description = "QGIS user profile to install into (default: default)" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var install = new Command("install", "Install SatSR's Processing provider into a QGIS profile and enable it") { Profile };
        install.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var root = SourceTree.Find()
                ?? throw new SatSRException("satsr qgis install needs the SatSR source tree (qgis/satsr); run it through the ./satsr launcher");
            var profile = ProfileFolder(parse.GetValue(Profile));
            var program = Program(root);
            var plugin = Install(Path.Combine(root, "qgis", Plugin), profile, program);
            Enable(Path.Combine(profile, "QGIS", "QGIS3.ini"));
            console.MarkupLineInterpolated($"[green]installed[/] the SatSR plugin in {plugin} (it runs {program}) and enabled it");
            console.WriteLine("Start QGIS (or restart it): Processing Toolbox → SatSR. If SatSR is not there, QGIS was open and kept its old " +
                "settings: Plugins → Manage and Install Plugins → Installed → tick SatSR.");
            return Task.FromResult(0);
        }));
        return new Command("qgis", "QGIS: a Processing provider whose algorithms run satsr") { install };
    }

    /// <summary>The profile's folder where QGIS looks for it: under $QGIS_CUSTOM_CONFIG_PATH when set, as QGIS does.</summary>
    private static string ProfileFolder(string? name)
    {
        var profiles = Environment.GetEnvironmentVariable("QGIS_CUSTOM_CONFIG_PATH") is { Length: > 0 } custom
            ? Path.Combine(custom, "profiles")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "QGIS", "QGIS3", "profiles");
        // The default profile is made on QGIS's first start; one named here must exist, or a typo would make a new one.
        if (name is null) return Path.Combine(profiles, "default");
        var folder = Path.Combine(profiles, name);
        if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or ".." || !Directory.Exists(folder))
        {
            var known = Directory.Exists(profiles) ? string.Join(", ", Directory.EnumerateDirectories(profiles).Select(Path.GetFileName).Order()) : "";
            throw new InvalidOptionsException($"--profile {name}: no such QGIS profile in {profiles} ({(known.Length > 0 ? "there: " + known : "none yet")})");
        }
        return folder;
    }

    /// <summary>
    /// What the plugin runs, as a shell would split it: the launcher when this run came through it (it rebuilds after a
    /// change), else this program as it was started (a native program, or the runtime with its assembly).
    /// </summary>
    private static string Program(string root)
    {
        if (Environment.GetEnvironmentVariable("SATSR_ROOT") is { Length: > 0 } || Environment.ProcessPath is not { } self) return ShellWord(Path.Combine(root, "satsr"));
        return Path.GetFileNameWithoutExtension(self) == "dotnet" ? $"{ShellWord(self)} {ShellWord(Environment.GetCommandLineArgs()[0])}" : ShellWord(self);
    }

    /// <summary>The plugin's files into the profile's plugin folder, replacing an earlier install whole; its folder.</summary>
    private static string Install(string source, string profile, string program)
    {
        var target = Path.Combine(profile, "python", "plugins", Plugin);
        // Made beside the plugins folder, not in it: QGIS would try to load a half-copied plugin.
        var staging = Path.Combine(profile, "python", ".satsr-plugin.partial");
        try
        {
            if (Directory.Exists(target) && !IsOurs(target))
            {
                throw new SatSRException($"{target}: a plugin folder that is not SatSR's; move it away, then install again");
            }
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
            // The plugin is one flat folder; Python's __pycache__ of a local import is not part of it.
            foreach (var file in Directory.EnumerateFiles(source).Where(f => Path.GetExtension(f) is ".py" or ".txt"))
            {
                File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            }
            File.WriteAllText(Path.Combine(staging, "program.txt"), program + "\n");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(staging, target);
            return target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SatSRException($"{target}: cannot install the plugin there ({e.Message})", e);
        }
    }

    private static bool IsOurs(string folder) =>
        File.Exists(Path.Combine(folder, "metadata.txt")) && File.ReadLines(Path.Combine(folder, "metadata.txt")).Any(l => l.Trim() == "name=SatSR");

    /// <summary>
    /// Sets <c>satsr=true</c> in the <c>[PythonPlugins]</c> section of the profile's QGIS3.ini (Qt's INI format, which
    /// QGIS reads at start), keeping every other line; written beside it and renamed, so QGIS never reads half a file.
    /// </summary>
    private static void Enable(string ini)
    {
        var lines = File.Exists(ini) ? File.ReadAllLines(ini).ToList() : [];
        var section = lines.FindIndex(l => l.Trim() == "[PythonPlugins]");
        if (section < 0)
        {
            if (lines.Count > 0 && lines[^1].Trim().Length > 0) lines.Add("");
            lines.AddRange(["[PythonPlugins]", $"{Plugin}=true"]);
        }
        else
        {
            var end = lines.FindIndex(section + 1, l => l.TrimStart().StartsWith('['));
            var key = lines.FindIndex(section + 1, (end < 0 ? lines.Count : end) - section - 1, l => KeyOf(l) == Plugin);
            if (key >= 0) lines[key] = $"{Plugin}=true";
            else lines.Insert(section + 1, $"{Plugin}=true");
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ini)!);
            File.WriteAllLines(ini + ".partial", lines);
            File.Move(ini + ".partial", ini, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SatSRException($"{ini}: cannot enable the plugin there ({e.Message})", e);
        }
    }

    private static string KeyOf(string line) => line.Split('=', 2)[0].Trim();

    /// <summary>A path as one word of a POSIX shell (the plugin splits its setting with Python's shlex).</summary>
    private static string ShellWord(string path) => PlainWord().IsMatch(path) ? path : "'" + path.Replace("'", @"'\''") + "'";

    [GeneratedRegex(@"^[\w@%+=:,./-]+$")]
    private static partial Regex PlainWord();
}
