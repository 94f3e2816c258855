using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace SatSR.Tests.Remote;

/// <summary>
/// An HTTP/1.1 file server on 127.0.0.1 that answers HEAD and GET with one byte range (206 and Content-Range), as cloud
/// storage does, so remote reads run without the internet. It counts requests and body bytes, sends an ETag and
/// Last-Modified per file, can answer the next requests with an error status, and can drop connections part way
/// through a body once a number of bytes has been served in all. One request per connection (Connection: close).
/// </summary>
internal sealed partial class RangeServer : IDisposable
{
    private sealed record Served(byte[] Body, string ETag, DateTimeOffset LastModified);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, Served> _files = new();
    private readonly ConcurrentQueue<string> _log = new();
    private long _bytes, _dropAfter = long.MaxValue;
    private int _requests, _failNext, _failStatus;

    public RangeServer()
    {
        _listener.Start();
        Root = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = Task.Run(AcceptLoop);
    }

    public Uri Root { get; }

    public int Port => Root.Port;

    /// <summary>Requests answered so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Body bytes sent so far, all requests together.</summary>
    public long BytesServed => Interlocked.Read(ref _bytes);

    /// <summary>Each request so far as "METHOD /path".</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> (e.g. "/data/scene.tif"), replacing what was there.</summary>
    public Uri Serve(string path, byte[] body, string etag = "\"1\"", DateTimeOffset? lastModified = null)
    {
        _files[path] = new Served(body, etag, lastModified ?? new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        return new Uri(Root, path);
    }

    /// <summary>From now on, every body is cut off (the connection closed) once <paramref name="bytes"/> bytes have been served in all.</summary>
    public void DropAfter(long bytes) => Interlocked.Exchange(ref _dropAfter, bytes);

    /// <summary>Serves whole bodies again.</summary>
    public void Recover() => Interlocked.Exchange(ref _dropAfter, long.MaxValue);

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> and no body.</summary>
    public void FailNext(int count, int status = 503)
    {
        Volatile.Write(ref _failStatus, status);
        Volatile.Write(ref _failNext, count);
    }

    public void Dispose() => _listener.Stop();

    private async Task AcceptLoop()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;   // Dispose stopped the listener.
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await Answer(client.GetStream());
                    }
                    catch (IOException)
                    {
                        // The client went away (GDAL closes a connection it no longer needs).
                    }
                }
            });
        }
    }

    private async Task Answer(NetworkStream stream)
    {
        var request = await ReadHead(stream);
        if (request is null) return;
        var lines = request.Split("\r\n");
        var parts = lines[0].Split(' ');
        string method = parts[0], path = Uri.UnescapeDataString(parts[1].Split('?')[0]);
        var range = lines.Skip(1).Select(l => RangeHeader().Match(l)).FirstOrDefault(m => m.Success);
        _log.Enqueue($"{method} {path}");
        Interlocked.Increment(ref _requests);

        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            await WriteHead(stream, Volatile.Read(ref _failStatus), "Unavailable", 0, []);
            return;
        }
        if (!_files.TryGetValue(path, out var file))
        {
            await WriteHead(stream, 404, "Not Found", 0, []);
            return;
        }
        long length = file.Body.Length, from = 0, to = length - 1;
        var status = 200;
        List<string> headers = [$"ETag: {file.ETag}", $"Last-Modified: {file.LastModified.ToString("R", CultureInfo.InvariantCulture)}", "Accept-Ranges: bytes"];
        if (range is not null)
        {
            from = long.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture);
            to = range.Groups[2].Value.Length > 0 ? Math.Min(long.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture), length - 1) : length - 1;
            if (from >= length)
            {
                await WriteHead(stream, 416, "Range Not Satisfiable", 0, [$"Content-Range: bytes */{length}"]);
                return;
            }
            status = 206;
            headers.Add($"Content-Range: bytes {from}-{to}/{length}");
        }
        var count = (int)(to - from + 1);
        await WriteHead(stream, status, status == 206 ? "Partial Content" : "OK", count, headers);
        if (method != "GET") return;
        // The whole body is announced; past the drop point only what is left before it goes, then the connection closes.
        var before = Interlocked.Add(ref _bytes, count) - count;
        var allowed = (int)Math.Clamp(Interlocked.Read(ref _dropAfter) - before, 0, count);
        await stream.WriteAsync(file.Body.AsMemory((int)from, allowed));
        if (allowed < count) Interlocked.Add(ref _bytes, allowed - count);
    }

    private static async Task WriteHead(NetworkStream stream, int status, string reason, long length, IEnumerable<string> headers)
    {
        var head = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n"));
        foreach (var h in headers) head.Append(h).Append("\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
    }

    /// <summary>The request line and headers (GDAL's requests have no body); null when the client closed first.</summary>
    private static async Task<string?> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray(), 0, bytes.Count - 4);
    }

    [GeneratedRegex(@"^Range:\s*bytes=(\d+)-(\d*)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RangeHeader();
}
