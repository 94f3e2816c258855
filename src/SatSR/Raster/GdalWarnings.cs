namespace SatSR.Raster;

/// <summary>
/// A warning GDAL raised (its errors become exceptions instead), with the file SatSR was opening or creating when it
/// did; null when it came from another call.
/// </summary>
public sealed record GdalWarning(string Message, string? File);

/// <summary>
/// Hears GDAL's warnings while it is in scope: GDAL's error handler keeps them off the console (the library never
/// writes there), and this passes each distinct message on once, so the caller decides how a user sees it. A scope
/// covers the flow that made it: its thread and the tasks and threads started from there (a job's readers), not
/// another caller's. A message repeats as often as GDAL opens the file (every reader opens the input), hence once.
/// </summary>
public sealed class GdalWarnings : IDisposable
{
    private static readonly AsyncLocal<GdalWarnings?> Current = new();
    private readonly IProgress<GdalWarning> _report;
    private readonly GdalWarnings? _outer;
    private readonly HashSet<string> _heard = [];

    private GdalWarnings(IProgress<GdalWarning> report, GdalWarnings? outer)
    {
        _report = report;
        _outer = outer;
    }

    /// <summary>
    /// Starts listening; <paramref name="report"/> gets each distinct message once, on the thread GDAL raised it on,
    /// inside GDAL's call (so it must be quick and must not throw).
    /// </summary>
    public static GdalWarnings Listen(IProgress<GdalWarning> report)
    {
        GdalError.EnsureInitialised();
        return Current.Value = new GdalWarnings(report, Current.Value);
    }

    /// <summary>Called by GDAL's error handler for each warning raised in the current flow.</summary>
    internal static void Heard(string message, string? file)
    {
        if (Current.Value is not { } listener) return;
        bool first;
        lock (listener._heard) first = listener._heard.Add(message);
        if (first) listener._report.Report(new GdalWarning(message, file));
    }

    public void Dispose() => Current.Value = _outer;
}
