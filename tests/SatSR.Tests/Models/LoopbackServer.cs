using System.Net;
using System.Net.Sockets;

namespace SatSR.Tests.Models;

/// <summary>
/// Serves fixed bytes at one path on 127.0.0.1 (404 elsewhere), so download code runs without the internet; it can
/// also answer that path with an error status, or drop the connection part way through the body.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _requests;

    /// <param name="status">the answer at <paramref name="path"/>; the body goes only with 200</param>
    /// <param name="dropAfter">bytes of the body to send before dropping the connection, having announced all of them</param>
    public LoopbackServer(string path, byte[] body, int status = 200, int? dropAfter = null)
    {
        Root = new Uri($"http://127.0.0.1:{FreePort()}/");
        _listener.Prefixes.Add(Root.ToString());
        _listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var context = await _listener.GetContextAsync();
                    var response = context.Response;
                    Interlocked.Increment(ref _requests);
                    response.StatusCode = context.Request.Url!.AbsolutePath == "/" + path ? status : 404;
                    if (response.StatusCode == 200)
                    {
                        response.ContentLength64 = body.Length;
                        await response.OutputStream.WriteAsync(body.AsMemory(0, dropAfter ?? body.Length));
                        if (dropAfter is not null)
                        {
                            response.Abort();
                            continue;
                        }
                    }
                    response.Close();
                }
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                // Dispose stopped the listener.
            }
        });
    }

    public Uri Root { get; }

    /// <summary>Requests answered so far, whatever their path.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Dispose() => _listener.Close();

    /// <summary>A port nothing listens on (the system's pick, closed again).</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
