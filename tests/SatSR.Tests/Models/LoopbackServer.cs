using System.Net;
using System.Net.Sockets;

namespace SatSR.Tests.Models;

/// <summary>Serves fixed bytes at one path on 127.0.0.1 (404 elsewhere), so download code runs without the internet.</summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();

    public LoopbackServer(string path, byte[] body)
    {
        var port = FreePort();
        Root = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Root.ToString());
        _listener.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var context = await _listener.GetContextAsync();
                    Requests++;
                    var found = context.Request.Url!.AbsolutePath == "/" + path;
                    context.Response.StatusCode = found ? 200 : 404;
                    if (found) await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                // Dispose stopped the listener.
            }
        });
    }

    public Uri Root { get; }

    public int Requests { get; private set; }

    public void Dispose() => _listener.Close();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
