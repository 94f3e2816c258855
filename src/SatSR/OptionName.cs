namespace SatSR;

/// <summary>
/// An option a failure can name, in the library's own terms: the property of the options record it concerns
/// (UpscaleOptions, EvaluationOptions, CompareOptions, MergeOptions; one name for the same idea in each) or the
/// parameter (StacItem's asset). These are all there are, so a front end can spell every one its own way.
/// </summary>
public sealed record OptionName
{
    private OptionName(string name) => Name = name;

    public string Name { get; }

    public override string ToString() => Name;

    public static readonly OptionName Asset = new(nameof(Asset));
    public static readonly OptionName Bands = new(nameof(Bands));
    public static readonly OptionName Batch = new(nameof(Batch));
    public static readonly OptionName CreationOptions = new(nameof(CreationOptions));
    public static readonly OptionName Degradation = new(nameof(Degradation));
    public static readonly OptionName Device = new(nameof(Device));
    public static readonly OptionName MemoryBytes = new(nameof(MemoryBytes));
    public static readonly OptionName ModelWeight = new(nameof(ModelWeight));
    public static readonly OptionName OutScale = new(nameof(OutScale));
    public static readonly OptionName Overlap = new(nameof(Overlap));
    public static readonly OptionName Overviews = new(nameof(Overviews));
    public static readonly OptionName Overwrite = new(nameof(Overwrite));
    public static readonly OptionName PartsFolder = new(nameof(PartsFolder));
    public static readonly OptionName QueueDepth = new(nameof(QueueDepth));
    public static readonly OptionName Ranges = new(nameof(Ranges));
    public static readonly OptionName Region = new(nameof(Region));
    public static readonly OptionName Resume = new(nameof(Resume));
    public static readonly OptionName Scale = new(nameof(Scale));
    public static readonly OptionName Shard = new(nameof(Shard));
    public static readonly OptionName Threads = new(nameof(Threads));
    public static readonly OptionName TileSize = new(nameof(TileSize));
    public static readonly OptionName Vrt = new(nameof(Vrt));
}
