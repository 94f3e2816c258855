using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SatSR.Pipeline.Options;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>How far an interrupted job got: column chunks before <see cref="Chunk"/> are complete, and in that chunk
/// every output row above <see cref="RowsDone"/> is durably in the partial file.</summary>
internal readonly record struct ResumePoint(int Chunk, int RowsDone);

/// <summary>
/// A small file next to the partial output that records the <see cref="ResumePoint"/> after each durable write,
/// with a fingerprint of everything that decides the pixels. A resume with another input, model or pixel-affecting
/// option is refused rather than mixing two jobs in one file.
/// </summary>
internal sealed partial class ResumeJournal(string path, string fingerprint)
{
    public string Path { get; } = path;

    /// <summary>
    /// The options a resume may change: where the result goes and what it may replace, and how fast it is computed (the
    /// device and threads change float rounding at most, not what is computed; batch and queue depth change nothing,
    /// DeterminismTests; the memory budget acts only through the tile size it chooses, which is in the fingerprint). The
    /// shard and the parts folder pick the part file, and a part's journal holds its shard besides the fingerprint.
    /// Every other option is in the fingerprint by construction, one added later included, unless it is named here.
    /// </summary>
    internal static readonly string[] FreeOnResume =
    [
        nameof(UpscaleOptions.OutputPath), nameof(UpscaleOptions.Overwrite), nameof(UpscaleOptions.Resume),
        nameof(UpscaleOptions.Device), nameof(UpscaleOptions.Threads), nameof(UpscaleOptions.Batch), nameof(UpscaleOptions.QueueDepth),
        nameof(UpscaleOptions.MemoryBytes),
        nameof(UpscaleOptions.Shard), nameof(UpscaleOptions.PartsFolder),
    ];

    /// <summary>
    /// Every settable option of <paramref name="options"/> but <see cref="FreeOnResume"/>, by name, hashed; and
    /// <paramref name="scale"/>, the integer scale the network's stage runs at (decided by the model when not given);
    /// and the input by <paramref name="inputIdentity"/> (<see cref="Identify"/>). Everything else a job decides follows from these.
    /// </summary>
    public static string FingerprintOf(UpscaleOptions options, int scale, string inputIdentity)
    {
        var text = new StringBuilder("satsr-journal-3\n");
        text.Append(CultureInfo.InvariantCulture, $"stage scale={scale}\n");
        foreach (var property in typeof(UpscaleOptions).GetProperties()
            .Where(p => p.CanWrite && !FreeOnResume.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append(property.Name).Append('=').Append(property.Name switch
            {
                // The input by its content as well as its name, the model by its weights, the overlap as it applies
                // (the model's default when none is given).
                nameof(UpscaleOptions.InputPath) => inputIdentity,
                nameof(UpscaleOptions.Model) => Convert.ToHexString(SHA256.HashData(options.Model.OnnxModel)),
                nameof(UpscaleOptions.Overlap) => options.EffectiveOverlap.ToString(CultureInfo.InvariantCulture),
                _ => Value(property.Name, property.GetValue(options)),
            }).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>An option's value as text, the same on every machine; a type it does not know is an error, not its type's name.</summary>
    private static string Value(string option, object? value) => value switch
    {
        null => "null",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        RangeOverride r => r.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),   // integers and enums (by name)
        // GDAL reads creation option keys in any case, so their order and case do not make another job.
        IReadOnlyDictionary<string, string> d => string.Join(';', d.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .Select(kv => $"{kv.Key.ToUpperInvariant()}={kv.Value}")),
        System.Collections.IEnumerable items => "[" + string.Join(',', items.Cast<object?>().Select(item => Value(option, item))) + "]",
        _ => throw new InvalidOperationException($"the resume fingerprint has no text for {option} ({value.GetType().Name}); give it one in ResumeJournal.Value"),
    };

    /// <summary>
    /// The input as the fingerprint takes it: by name and content (<see cref="InputText"/>) and, for a VRT or a file with
    /// sidecars, its other files (<paramref name="files"/>, <see cref="RasterDataset.Files"/>; <see cref="SourcesIdentity"/>).
    /// It reads the input (a sample of its bytes, a request to a remote server): taken once per job.
    /// </summary>
    public static string Identify(string inputPath, IReadOnlyList<string> files) => InputText(inputPath) + SourcesIdentity(inputPath, files);

    /// <summary>
    /// The input by its name and content: a local file by its full path and <see cref="InputIdentity"/>, a remote one by
    /// its URL and what its server says (size, ETag, Last-Modified), so a file replaced on the server makes another job.
    /// </summary>
    private static string InputText(string path) => RemoteFile.IsRemote(path)
        ? $"{path} {RemoteFile.Identify(path)}"
        : $"{System.IO.Path.GetFullPath(path)} {InputIdentity(new FileInfo(path))}";

    private const int HeadTail = 1 << 20, Piece = 64 << 10, Pieces = 16;

    /// <summary>
    /// The input's length, modification time and a SHA-256 over a fixed sample of its bytes: the first and last MiB and
    /// <see cref="Pieces"/> pieces of 64 KiB spread evenly between (all of it when the file is smaller). Name, length
    /// and time alone miss another file put in its place with the same size and time (cp -p, rsync -t, a tool that
    /// rewrites pixels in place); hashing all of a multi-GB scene would cost a minute of reading at every start, while
    /// another scene or another export of it differs in its header and directory (at the start or the end) and in
    /// pixels throughout, which the sample reads.
    /// </summary>
    private static string InputIdentity(FileInfo input)
    {
        if (!input.Exists) return "";
        using var file = new FileStream(input.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.RandomAccess);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[HeadTail];
        foreach (var (offset, count) in Sample(file.Length))
        {
            file.Position = offset;
            file.ReadExactly(buffer, 0, count);
            hash.AppendData(buffer, 0, count);
        }
        return string.Join(' ', file.Length.ToString(CultureInfo.InvariantCulture),
            input.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture), Convert.ToHexString(hash.GetHashAndReset()));
    }

    /// <summary>
    /// The other files GDAL reads for the input (a VRT's sources, sidecars such as .aux.xml or .msk), each by path,
    /// length and modification time: a mosaic whose tile was rewritten is another input although its XML is the same.
    /// Not hashed as the input is: a VRT over a thousand tiles would read gigabytes at every start. Nothing for a file
    /// that is all of its raster, so a plain GeoTIFF's fingerprint is what it was before sources counted.
    /// </summary>
    private static string SourcesIdentity(string inputPath, IReadOnlyList<string> files)
    {
        static string Full(string f) => f.StartsWith("/vsi", StringComparison.Ordinal) ? f : System.IO.Path.GetFullPath(f);
        var input = Full(inputPath);
        return string.Concat(files.Select(Full).Where(f => f != input).Distinct().Order(StringComparer.Ordinal).Select(f => new FileInfo(f) is { Exists: true } source
            ? string.Create(CultureInfo.InvariantCulture, $"\n source {f} {source.Length} {source.LastWriteTimeUtc.Ticks}")
            : $"\n source {f}"));
    }

    /// <summary>The byte ranges <see cref="InputIdentity"/> hashes in a file of <paramref name="length"/> bytes, each at most <see cref="HeadTail"/>.</summary>
    private static IEnumerable<(long Offset, int Count)> Sample(long length)
    {
        if (length <= 2L * HeadTail + Pieces * Piece)
        {
            for (var offset = 0L; offset < length; offset += HeadTail) yield return (offset, (int)Math.Min(HeadTail, length - offset));
            yield break;
        }
        yield return (0, HeadTail);
        var span = length - 2L * HeadTail - Piece;
        for (var i = 0; i < Pieces; i++) yield return (HeadTail + span * i / (Pieces - 1), Piece);
        yield return (length - HeadTail, HeadTail);
    }

    /// <summary>The recorded point; throws when the journal belongs to another job or is unreadable.</summary>
    public ResumePoint Read(string outputPath)
    {
        Entry? entry;
        try
        {
            entry = JsonSerializer.Deserialize(File.ReadAllText(Path), EntryJson.Default.Entry);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidOptionsException($"{outputPath}: cannot resume: the journal {Path} is unreadable ({e.Message}); remove the partial output to start over");
        }
        if (entry is null || entry.Fingerprint != fingerprint)
        {
            throw OtherJob(outputPath, Path);
        }
        return new ResumePoint(entry.Chunk, entry.RowsDone);
    }

    /// <summary>The refusal to resume the interrupted job whose journal is <paramref name="journalPath"/> with this job's input, model or options.</summary>
    public static InvalidOptionsException OtherJob(string outputPath, string journalPath)
    {
        var partial = System.IO.Path.GetFileName(journalPath[..^".journal".Length]);
        return new InvalidOptionsException(
            $"{outputPath}: cannot resume: {partial} was made from another input, model or options; remove it and {partial}.journal to start over");
    }

    /// <summary>
    /// The journal's first entry, nothing done, written before the partial file is made: from then on any partial file
    /// beside it is this job's (whole, half-made or empty), so a run killed at any instant can be resumed, while a
    /// partial file with no journal is not SatSR's and is never taken over. Its own temp name: the one of
    /// <see cref="Record"/> is where tests intercept the first record of pixels.
    /// </summary>
    public void Begin()
    {
        Write(new ResumePoint(0, 0), Path + ".new");
        KillPoint.Pass(KillPoint.Begin);
    }

    /// <summary>Replaces the journal atomically (write beside, flush to disk, rename).</summary>
    public void Record(ResumePoint point)
    {
        Write(point, Path + ".tmp");
        KillPoint.Pass(KillPoint.Record);
    }

    private void Write(ResumePoint point, string temp)
    {
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, new Entry(fingerprint, point.Chunk, point.RowsDone), EntryJson.Default.Entry);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
        }
        catch (IOException e)
        {
            File.Delete(temp);
            throw new SatSRException($"{Path}: cannot record progress; is the disk full? ({e.Message})", e);
        }
    }

    public void Delete() => File.Delete(Path);

    internal sealed record Entry(string Fingerprint, int Chunk, int RowsDone);

    // Serialisation code made at build time: the native (AOT) CLI has no reflection-based JSON.
    [JsonSerializable(typeof(Entry))]
    internal sealed partial class EntryJson : JsonSerializerContext;
}
