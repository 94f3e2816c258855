using SatSR.Geometry;

namespace SatSR.Raster;

/// <summary>A raster could not be opened, read or written. The message is one line naming the file.</summary>
public sealed class RasterException(string path, string problem, Window? window = null)
    : SatSRException(window is { } w ? $"{path}: {problem} (window {w})" : $"{path}: {problem}")
{
    public string Path { get; } = path;
    public Window? Window { get; } = window;

    /// <summary>The read failed over the network (a dropped connection, a server that stopped answering): the same read may succeed later.</summary>
    public bool Retryable { get; init; }
}
