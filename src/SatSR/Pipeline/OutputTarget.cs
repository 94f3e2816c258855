namespace SatSR.Pipeline;

/// <summary>
/// The output path and its partial twin. Pixels go to <see cref="PartialPath"/> in the same folder; only a complete,
/// closed file is renamed to <see cref="FinalPath"/>, so the final path never holds a half-written file.
/// </summary>
internal sealed class OutputTarget
{
    private OutputTarget(string finalPath, bool overwrite)
    {
        FinalPath = finalPath;
        PartialPath = finalPath + ".partial";
        _overwrite = overwrite;
    }

    private readonly bool _overwrite;

    public string FinalPath { get; }
    public string PartialPath { get; }

    /// <summary>Checks, before any pixel is read, that the job can finish without harming anything the user has.</summary>
    public static OutputTarget Prepare(string inputPath, string outputPath, bool overwrite)
    {
        var input = Path.GetFullPath(inputPath);
        var output = Path.GetFullPath(outputPath);
        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            throw new InvalidOptionsException($"{outputPath}: the output path is the input file; choose another output");
        }
        if (Directory.Exists(output)) throw new InvalidOptionsException($"{outputPath}: is a folder; give an output file name");
        if (File.Exists(output) && !overwrite)
        {
            throw new InvalidOptionsException($"{outputPath}: already exists; pass --overwrite to replace it");
        }
        var folder = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(folder)) throw new InvalidOptionsException($"{outputPath}: folder {folder} does not exist");
        var target = new OutputTarget(output, overwrite);
        if (File.Exists(target.PartialPath))
        {
            throw new InvalidOptionsException(
                $"{outputPath}: a partial output of an earlier, interrupted run is in the way ({target.PartialPath}); remove it to start over");
        }
        try
        {
            using (File.Create(target.PartialPath, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOptionsException($"{outputPath}: cannot write in folder {folder} ({e.Message})");
        }
        return target;
    }

    /// <summary>Moves the closed partial file, and any sidecar GDAL wrote beside it, to the final name.</summary>
    public void Commit()
    {
        foreach (var (partial, final) in Sidecars()) File.Move(partial, final, _overwrite);
        File.Move(PartialPath, FinalPath, _overwrite);
    }

    /// <summary>Removes whatever this run wrote.</summary>
    public void Abandon()
    {
        File.Delete(PartialPath);
        foreach (var (partial, _) in Sidecars()) File.Delete(partial);
    }

    private IEnumerable<(string Partial, string Final)> Sidecars()
    {
        var folder = Path.GetDirectoryName(PartialPath)!;
        var name = Path.GetFileName(PartialPath);
        // "name.*" also matches "name" itself (DOS wildcard rules), so the partial file is filtered out.
        return Directory.EnumerateFiles(folder, name + ".*")
            .Where(p => p != PartialPath)
            .Select(p => (p, FinalPath + p[PartialPath.Length..]))
            .ToList();
    }
}
