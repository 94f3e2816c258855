using SatSR.Geometry;
using SatSR.Raster;

namespace SatSR.Training.Data;

/// <summary>One raster of a training corpus: how often a patch comes from it, relative to the others, and the windows no patch may touch.</summary>
public sealed record CorpusFile(string Path, double Weight, IReadOnlyList<Window> HeldOut);

/// <summary>
/// The inputs of a run as files: each input is a raster, or a folder whose rasters (by extension, not recursive,
/// sorted by name so the order and so the sampling do not depend on the file system) are all taken. A file's weight
/// is the one given for its own path, else the one given for the folder it came from, else 1; so a folder of many tiles
/// and one big scene can be drawn from equally often.
/// </summary>
public static class Corpus
{
    /// <exception cref="TrainingException">an input that does not exist, an empty folder, a weight that is not positive,
    /// or a weight or held-out window naming a path that is not among the inputs</exception>
    public static IReadOnlyList<CorpusFile> Resolve(IReadOnlyList<string> inputs, IReadOnlyDictionary<string, double> weights,
        IReadOnlyList<(string Path, Window Window)> heldOut)
    {
        var files = new List<(string Path, string Origin)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = RasterFiles.InFolder(input);
                if (found.Count == 0)
                    throw new TrainingException($"{input}: the folder holds no raster ({string.Join(", ", RasterFiles.Extensions)})");
                files.AddRange(found.Select(f => (f, input)));
            }
            else if (File.Exists(input) || input.StartsWith("/vsi", StringComparison.Ordinal))
            {
                files.Add((input, input));
            }
            else
            {
                throw new TrainingException($"{input}: no such file or folder");
            }
        }

        var keys = files.SelectMany(f => new[] { Key(f.Path), Key(f.Origin) }).ToHashSet();
        var weightOf = new Dictionary<string, double>();
        foreach (var (path, weight) in weights)
        {
            if (!keys.Contains(Key(path))) throw new TrainingException($"--weight {path}: is not one of the inputs (nor a folder given as one)");
            if (!(weight > 0) || double.IsInfinity(weight)) throw new TrainingException(FormattableString.Invariant($"--weight {path}={weight}: must be a positive number"));
            weightOf[Key(path)] = weight;
        }
        foreach (var (path, _) in heldOut)
            if (!files.Any(f => Key(f.Path) == Key(path))) throw new TrainingException($"--hold-out {path}: is not one of the input files");

        return files.Select(f => new CorpusFile(f.Path,
                weightOf.GetValueOrDefault(Key(f.Path), weightOf.GetValueOrDefault(Key(f.Origin), 1)),
                heldOut.Where(h => Key(h.Path) == Key(f.Path)).Select(h => h.Window).ToList()))
            .ToList();
    }

    // GDAL's virtual paths are names, not files: compared as written.
    private static string Key(string path) =>
        path.StartsWith("/vsi", StringComparison.Ordinal) ? path : System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
}
