using System.Text.RegularExpressions;
using SatSR.Raster.Interop;

namespace SatSR.Pipeline.Output;

/// <summary>
/// The output path, its partial twin and the resume journal beside it. Pixels go to <see cref="PartialPath"/> in the
/// same folder; only a complete, closed file is renamed to <see cref="FinalPath"/>, so the final path never holds
/// a half-written file. While the target exists it holds <see cref="LockPath"/>, so two runs never write one partial
/// file (two copies of one shard, started by a requeue while the first still runs): the second is refused.
/// </summary>
internal sealed partial class OutputTarget : IDisposable
{
    private readonly bool _overwrite, _resume;
    private FileLock? _lock;

    private OutputTarget(string finalPath, bool overwrite, bool resume, bool resuming)
    {
        FinalPath = finalPath;
        PartialPath = finalPath + ".partial";
        JournalPath = PartialPath + ".journal";
        _overwrite = overwrite;
        _resume = resume;
        Resuming = resuming;
    }

    public string FinalPath { get; }
    public string PartialPath { get; }
    public string JournalPath { get; }
    public string LockPath => JournalPath + ".lock";

    /// <summary>
    /// True when an interrupted run's journal is there and the caller asked to resume. Its partial output may be missing
    /// (killed after the journal began, before the file was made): the journal is written first (<see cref="ResumeJournal.Begin"/>).
    /// </summary>
    public bool Resuming { get; }

    /// <summary>
    /// Checks, before any pixel is read, that the job can finish without harming anything the user has.
    /// <paramref name="redoable"/>: a partial output without journal is a pass that is redone whole (the resample pass
    /// of <c>--outscale</c>, cut off by a kill), so <paramref name="resume"/> replaces it instead of refusing.
    /// </summary>
    public static OutputTarget Prepare(string inputPath, string outputPath, bool overwrite, bool resume, bool redoable = false)
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
            throw new InvalidOptionsException($"{outputPath}: already exists; pass {OptionName.Overwrite} to replace it");
        }
        var folder = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(folder)) throw new InvalidOptionsException($"{outputPath}: folder {folder} does not exist");

        // Taken before the partial file and journal are looked at: what they say holds only while no one else writes them.
        FileLock? held;
        var lockPath = output + ".partial.journal.lock";
        try
        {
            held = FileLock.TryTake(lockPath);
        }
        catch (IOException e)
        {
            throw new InvalidOptionsException($"{outputPath}: cannot write in folder {folder} ({e.Message})");
        }
        if (held is null) throw new InvalidOptionsException($"{outputPath}: another satsr run is writing it ({lockPath} is locked); wait for it to end or stop it");
        var target = new OutputTarget(output, overwrite, resume, resume && File.Exists(output + ".partial.journal")) { _lock = held };
        try
        {
            if (resume && redoable && !target.Resuming) target.Abandon();
            if (File.Exists(target.PartialPath) && !target.Resuming)
            {
                throw resume
                    ? new InvalidOptionsException($"{outputPath}: cannot resume: {target.PartialPath} has no journal; remove it to start over")
                    : new InvalidOptionsException($"{outputPath}: an interrupted run left {target.PartialPath}; add {OptionName.Resume} to continue it, or remove it to start over");
            }
        }
        catch
        {
            target.Dispose();
            throw;
        }
        return target;
    }

    /// <summary>Lets go of the lock (and removes its file); the partial file and journal stay as they are.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>
    /// A file the job writes beside this one and reads again, named by <paramref name="suffix"/>: an <c>--outscale</c>
    /// job's integer stage (<c>OUTPUT.x3.partial</c>) or a COG's streamed GeoTIFF (<c>OUTPUT.gtiff.partial</c>), with its
    /// journal when it is where the network writes (resumable like any partial output). It is never committed, and is
    /// abandoned once the output is complete. <paramref name="redoable"/>: as in <see cref="Prepare"/>.
    /// </summary>
    public OutputTarget Intermediate(string inputPath, string suffix, bool redoable = false) =>
        Prepare(inputPath, FinalPath + suffix, overwrite: true, _resume, redoable);

    /// <summary>The journals of interrupted jobs beside the output: its own and those of any <see cref="Intermediate"/> stage.</summary>
    public IEnumerable<string> InterruptedJournals() =>
        Directory.EnumerateFiles(Path.GetDirectoryName(FinalPath)!, Path.GetFileName(FinalPath) + ".*partial.journal")
            .Where(p => p == JournalPath || StageJournal().IsMatch(p[FinalPath.Length..]));

    [GeneratedRegex(@"^\.(x[0-9]+|gtiff)\.partial\.journal$")]
    private static partial Regex StageJournal();

    /// <summary>
    /// Moves the closed partial file, and any sidecar GDAL wrote beside it, to the final name; then drops the journal,
    /// so a kill in between leaves the partial file with its journal (resumable), never without.
    /// </summary>
    public void Commit()
    {
        foreach (var (partial, final) in Sidecars()) File.Move(partial, final, _overwrite);
        File.Move(PartialPath, FinalPath, _overwrite);
        DeleteJournal();
    }

    /// <summary>Removes whatever this run wrote.</summary>
    public void Abandon()
    {
        Restart();
        DeleteJournal();
    }

    /// <summary>Removes the partial file and its sidecars, keeping the journal: the file is about to be made anew.</summary>
    public void Restart()
    {
        File.Delete(PartialPath);
        foreach (var (partial, _) in Sidecars()) File.Delete(partial);
    }

    /// <summary>The journal and its temp files (a kill while one was written leaves it behind); not the lock, still held.</summary>
    private void DeleteJournal()
    {
        var folder = Path.GetDirectoryName(JournalPath)!;
        foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(JournalPath) + "*").Where(f => f != LockPath)) File.Delete(file);
    }

    private IEnumerable<(string Partial, string Final)> Sidecars()
    {
        var folder = Path.GetDirectoryName(PartialPath)!;
        var name = Path.GetFileName(PartialPath);
        // "name.*" also matches "name" itself (DOS wildcard rules), so the partial file is filtered out.
        return Directory.EnumerateFiles(folder, name + ".*")
            .Where(p => p != PartialPath && p != JournalPath && !p.StartsWith(JournalPath, StringComparison.Ordinal))
            .Select(p => (p, FinalPath + p[PartialPath.Length..]))
            .ToList();
    }
}
