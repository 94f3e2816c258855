using System.Collections;
using System.IO.Compression;

namespace SatSR.Models.Pth;

/// <summary>
/// Reads the tensors of a PyTorch checkpoint (<c>torch.save</c>'s zip format, PyTorch ≥ 1.6) without running any of
/// it. The zip holds <c>PREFIX/data.pkl</c>, a pickle of the saved object in which each tensor refers to a storage
/// <c>PREFIX/data/KEY</c>; PREFIX is <c>archive</c> or the name the file was saved under.
/// </summary>
public static class PthCheckpoint
{
    private const long MaxEntryBytes = 2L << 30;
    private const long MaxTotalBytes = 4L << 30;

    /// <summary>Where training code keeps the generator's weights, in order of preference (EMA weights are the better ones).</summary>
    private static readonly string[] Wrappers = ["params_ema", "params", "state_dict", "model"];

    /// <summary>The checkpoint's weight tensors, unwrapped from <see cref="Wrappers"/> and without a <c>module.</c> prefix.</summary>
    public static StateDict Load(string path)
    {
        var file = Path.GetFileName(path);
        using var zip = Open(path, file);
        var pickle = CheckEntries(zip, file);
        var prefix = pickle.FullName[..^"data.pkl".Length];
        var root = SafeUnpickler.Load(ReadEntry(pickle, file), file);

        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] StorageBytes(string key)
        {
            if (!storages.TryGetValue(key, out var bytes))
            {
                var entry = zip.GetEntry(prefix + "data/" + key) ?? throw new ModelException($"{file}: the pickle refers to storage '{key}', which the archive lacks");
                storages[key] = bytes = ReadEntry(entry, file);
            }
            return bytes;
        }

        return new StateDict(file, Tensors(Unwrap(root, file), file).Select(named =>
        {
            var (name, stored) = named;
            var bytes = StorageBytes(stored.Storage.Key);
            var holds = Math.Min(stored.Storage.Count, bytes.Length / stored.Storage.Type.ElementSize);
            if (stored.Needed > holds) throw new ModelException($"{file}: tensor '{name}' needs {stored.Needed} values but its storage holds {holds}");
            return KeyValuePair.Create(name, stored.Read(bytes));
        }));
    }

    private static ZipArchive Open(string path, string file)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            using var stream = File.OpenRead(path);
            var legacy = stream.ReadByte() == 0x80;   // a bare pickle: PyTorch < 1.6, or _use_new_zipfile_serialization=False
            throw new ModelException(legacy
                ? $"{file}: is a legacy (pre-1.6) PyTorch checkpoint; load it in PyTorch and torch.save it again"
                : $"{file}: is not a readable zip archive; truncated or corrupt? ({e.Message})", e);
        }
    }

    /// <summary>Refuses names that point outside the archive and sizes no checkpoint has; returns the one data.pkl.</summary>
    private static ZipArchiveEntry CheckEntries(ZipArchive zip, string file)
    {
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            var name = entry.FullName;
            if (name.StartsWith('/') || name.StartsWith('\\') || name.Contains(':') || name.Split('/', '\\').Contains(".."))
                throw new ModelException($"{file}: refused: the archive entry '{name}' points outside the archive");
            total += entry.Length;
            if (entry.Length > MaxEntryBytes || total > MaxTotalBytes)
                throw new ModelException($"{file}: refused: the archive unpacks to more than {(entry.Length > MaxEntryBytes ? "2 GiB in one entry" : "4 GiB")} (entry '{name}')");
        }

        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
        return pickles switch
        {
            [var single] => single,
            [] => throw new ModelException($"{file}: is a zip archive but not a PyTorch checkpoint (no */data.pkl)"),
            _ => throw new ModelException($"{file}: holds {pickles.Count} data.pkl entries; a PyTorch checkpoint has one"),
        };
    }

    /// <summary>Reads exactly the size the archive declares (already bounded), never more.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string file)
    {
        var bytes = new byte[entry.Length];
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new ModelException($"{file}: the archive entry '{entry.FullName}' is corrupt ({e.Message})", e);
        }
        return bytes;
    }

    private static IDictionary Unwrap(object root, string file)
    {
        if (root is not IDictionary dict) throw new ModelException($"{file}: holds a {Describe(root)}, not a dict of tensors");
        return Wrappers.Select(w => dict[w]).OfType<IDictionary>().FirstOrDefault() ?? dict;
    }

    /// <summary>
    /// The tensors of a state dict in the order torch.save wrote them, which is the dict's order: storage keys count
    /// up from 0 as tensors are pickled. (Razorvine's dicts do not keep the order themselves.)
    /// </summary>
    private static IEnumerable<(string Name, StoredTensor Tensor)> Tensors(IDictionary dict, string file)
    {
        var tensors = dict.Keys.Cast<object>()
            .Where(k => dict[k] is StoredTensor)
            .Select(k => (Name: Canonical(k.ToString()!), Tensor: (StoredTensor)dict[k]!))
            .OrderBy(t => long.TryParse(t.Tensor.Storage.Key, out var n) ? n : long.MaxValue)
            .ThenBy(t => t.Tensor.Storage.Key, StringComparer.Ordinal)
            .ThenBy(t => t.Tensor.Offset)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        if (tensors.Count == 0)
        {
            var keys = dict.Keys.Cast<object>().Select(k => k.ToString()).Order(StringComparer.Ordinal).ToList();
            throw new ModelException(keys.Count == 0 ? $"{file}: holds no tensors (an empty dict)"
                : $"{file}: holds no tensors (keys: {string.Join(", ", keys.Take(8))}{(keys.Count > 8 ? ", …" : "")})");
        }
        return tensors;
    }

    // DataParallel training saves every name with a "module." prefix.
    private static string Canonical(string name) => name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name;

    private static string Describe(object? o) => o switch
    {
        null => "None",
        IList => "list",
        _ => o.GetType().Name,
    };
}
