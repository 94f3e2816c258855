using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SatSR.Pipeline;

/// <summary>How far an interrupted job got: column chunks before <see cref="Chunk"/> are complete, and in that chunk
/// every output row above <see cref="RowsDone"/> is durably in the partial file.</summary>
internal readonly record struct ResumePoint(int Chunk, int RowsDone);

/// <summary>
/// A small file next to the partial output that records the <see cref="ResumePoint"/> after each durable write,
/// with a fingerprint of everything that decides the pixels. A resume with another input, model or pixel-affecting
/// option is refused rather than mixing two jobs in one file.
/// </summary>
internal sealed class ResumeJournal(string path, string fingerprint)
{
    public string Path { get; } = path;

    /// <summary><paramref name="scale"/>: the integer scale the network's stage runs at.</summary>
    public static string FingerprintOf(UpscaleOptions options, int scale)
    {
        var input = new FileInfo(options.InputPath);
        var creation = string.Join(';', options.CreationOptions.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .Select(kv => $"{kv.Key.ToUpperInvariant()}={kv.Value}"));
        var text = string.Join('\n',
            "satsr-journal-1",
            input.FullName, input.Length.ToString(CultureInfo.InvariantCulture), input.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture),
            Convert.ToHexString(SHA256.HashData(options.Model.OnnxModel)),
            scale.ToString(CultureInfo.InvariantCulture), options.OutScale?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            options.TileSize.ToString(CultureInfo.InvariantCulture),
            options.EffectiveOverlap.ToString(CultureInfo.InvariantCulture), options.Blend.ToString(), options.Nodata.ToString(),
            options.NodataValue.ToString("R", CultureInfo.InvariantCulture), options.StripBudgetBytes.ToString(CultureInfo.InvariantCulture),
            creation, string.Join(',', options.Bands), string.Join(';', options.Ranges), options.Consistency.ToString(),
            options.Tta.ToString(), options.Stretch.ToString());
        text += $"\n{options.Format}:{(options.Overviews is { } levels ? string.Join(',', levels) : "auto")}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The recorded point; throws when the journal belongs to another job or is unreadable.</summary>
    public ResumePoint Read(string outputPath)
    {
        Entry? entry;
        try
        {
            entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(Path));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidOptionsException($"{outputPath}: cannot resume: the journal {Path} is unreadable ({e.Message}); remove the partial output to start over");
        }
        if (entry is null || entry.Fingerprint != fingerprint)
        {
            throw new InvalidOptionsException(
                $"{outputPath}: cannot resume: the partial output was made from another input, model or options; remove {System.IO.Path.GetFileName(Path)} and the .partial file to start over");
        }
        return new ResumePoint(entry.Chunk, entry.RowsDone);
    }

    /// <summary>Replaces the journal atomically (write beside, flush to disk, rename).</summary>
    public void Record(ResumePoint point)
    {
        var temp = Path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, new Entry(fingerprint, point.Chunk, point.RowsDone));
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

    private sealed record Entry(string Fingerprint, int Chunk, int RowsDone);
}
