namespace SatSR.Cli.Commands;

/// <summary>The SatSR checkout this program belongs to, for commands that need more than the program (train, qgis).</summary>
internal static class SourceTree
{
    /// <summary>$SATSR_ROOT (the launcher sets it), else the folder above this program holding SatSR.slnx.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("SATSR_ROOT") is { Length: > 0 } set && File.Exists(Path.Combine(set, "SatSR.slnx"))) return set;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SatSR.slnx"))) return dir.FullName;
        return null;
    }
}
