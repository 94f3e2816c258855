using System.Diagnostics;
using System.Text.Json;

namespace SatSR.Tests.Viewer;

/// <summary>What one headless Chromium run of a page gave: its screenshot, its DOM after load, and the network log.</summary>
internal sealed record ChromiumRun(PngImage Screenshot, string Dom, IReadOnlyList<string> PageRequests);

/// <summary>
/// Debian's <c>chromium</c>, headless, as the compare page's user would open it: a file URL with a fragment. Host
/// names resolve to nothing and the network log is read back, so any request the page made is seen (and fails).
/// </summary>
internal static class Chromium
{
    public const int Width = 480, Height = 360;

    public static ChromiumRun Open(string page, string fragment)
    {
        var dir = TestFiles.TempDir();
        var shot = Path.Combine(dir, "shot.png");
        var netlog = Path.Combine(dir, "net.json");
        var profile = Path.Combine(dir, "profile");
        var start = new ProcessStartInfo("chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile}", "--incognito", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--force-color-profile=srgb", "--force-device-scale-factor=1", "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", $"--log-net-log={netlog}",
            $"--window-size={Width},{Height}", $"--screenshot={shot}", "--dump-dom",
            new Uri(page).AbsoluteUri + "#" + fragment,
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish in 60 s");
        }
        Assert.True(process.ExitCode == 0 && File.Exists(shot), $"chromium exited {process.ExitCode}: {stderr.Result}");
        var run = new ChromiumRun(PngReader.Read(File.ReadAllBytes(shot)), dom, PageRequests(netlog));
        Directory.Delete(dir, recursive: true);
        return run;
    }

    /// <summary>
    /// URLs of the requests a document started (the net stack sees every http(s) fetch; file: and data: never reach
    /// it). Chromium's own background requests carry no initiating origin ("not an origin") and are not the page's.
    /// </summary>
    private static List<string> PageRequests(string netlog)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(netlog));
        var start = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var urls = new List<string>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() != start || !e.TryGetProperty("params", out var p)) continue;
            var initiator = p.TryGetProperty("initiator", out var i) ? i.GetString() : null;
            // The job's end event has no URL, only its result.
            if (initiator != "not an origin" && p.TryGetProperty("url", out var url)) urls.Add(url.GetString()!);
        }
        return urls;
    }
}
