using SatSR.Inference;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Sharding;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline.Planning;

/// <summary>What the planner knows of the input, read once from it: its header, how its values map, and what identifies it for a resume.</summary>
/// <param name="OutputNodata">the nodata value the output gets (<see cref="Validity.OutputNodata"/>)</param>
/// <param name="Scales">each band's mapping to the network's 0..1, measured over the whole image (<see cref="BandRanges.Measure"/>)</param>
/// <param name="Identity">the input's name and content as the resume fingerprint takes them (<see cref="ResumeJournal.Identify"/>)</param>
internal sealed record InputFacts(RasterProfile Profile, double? OutputNodata, BandScale[] Scales, string Identity);

/// <summary>What the planner knows of the network: its scale (from the file, or a small run when it does not say) and channels.</summary>
internal sealed record NetworkFacts(int Scale, int Channels, int OutputChannels);

/// <summary>What the planner knows of the machine: the device the network runs on, its cores and the memory the tiles may take.</summary>
internal sealed record MachineFacts(ExecutionDevice Device, int Cores, long MemoryBudget);

/// <summary>
/// The files of a job, in the order they are written: <see cref="Stage"/> holds the network's pixels (resumable),
/// <see cref="Streamed"/> is the GeoTIFF that gets the overviews, then the output. Two roles may be one file.
/// </summary>
internal enum FileRole
{
    /// <summary>The output (or a shard's part) itself.</summary>
    Output,

    /// <summary>The network's integer-scale file beside the output, resampled to the exact size (<c>--outscale</c>).</summary>
    IntegerScale,

    /// <summary>A GeoTIFF beside the output that GDAL copies once into the output (a COG, or a GeoTIFF with options only a copy applies).</summary>
    CopySource,
}

/// <summary>
/// One upscale job, decided once by <see cref="Planner.Plan"/> before any pixel is read: everything the stages, the files
/// and the resume need. Immutable; nothing in it is measured again while the job runs.
/// </summary>
internal sealed record UpscaleJob
{
    /// <summary>What was asked, with the tile size it chose filled in.</summary>
    public required UpscaleOptions Options { get; init; }

    /// <summary>The input's header.</summary>
    public required RasterProfile Input { get; init; }

    /// <summary>The network's integer scale: the stage file's grid is the input's times this.</summary>
    public required int Scale { get; init; }

    /// <summary>The output's size: <see cref="Scale"/> times the input's, or round(W·F)×round(H·F) with <c>--outscale F</c>.</summary>
    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>True when the network's pixels are resampled to the output's size by a second pass.</summary>
    public bool Resampled => Width != Input.Width * Scale || Height != Input.Height * Scale;

    /// <summary>The tiles; their tensor is <see cref="TensorHeight"/>×<see cref="TensorWidth"/>.</summary>
    public required TilePlan Plan { get; init; }

    /// <summary>The network's input tensor: the plan's, or a square when test-time augmentation turns tiles by quarter turns.</summary>
    public int TensorHeight => Options.Tta ? Math.Max(Plan.TensorHeight, Plan.TensorWidth) : Plan.TensorHeight;

    public int TensorWidth => Options.Tta ? Math.Max(Plan.TensorHeight, Plan.TensorWidth) : Plan.TensorWidth;

    public required BandSelection Bands { get; init; }

    public required BandScale[] Scales { get; init; }

    /// <summary>Per output band, how a value in 0..1 becomes a sample of the output's type.</summary>
    public required SampleEncoder[] Encoders { get; init; }

    public required OutputEncoding Encoding { get; init; }

    /// <summary>The tile rows as shards see them, and the output rows this process writes (a shard's, or all).</summary>
    public required ShardLayout Layout { get; init; }

    public required RowRange Rows { get; init; }

    /// <summary>The rows of the network's file this process computes: <see cref="Rows"/>, or with <c>--outscale</c> those its kernels read.</summary>
    public required RowRange StageRows { get; init; }

    /// <summary>A shard's record of itself in its part file; null for a whole run.</summary>
    public required ShardPart? Part { get; init; }

    /// <summary>The path this process writes: the output, or a shard's part file.</summary>
    public required string OutputPath { get; init; }

    public required FileRole Stage { get; init; }

    public required FileRole Streamed { get; init; }

    /// <summary>True when the output is copied from <see cref="FileRole.CopySource"/> (<see cref="OutputEncoding.Copy"/>).</summary>
    public bool Copied => Streamed == FileRole.CopySource;

    /// <summary>The profile of what this process writes (a part's rows only), and of the network's file.</summary>
    public required RasterProfile OutputProfile { get; init; }

    public required RasterProfile StageProfile { get; init; }

    /// <summary>Overview factors built as the output is written: none for a part (merge builds them over the whole).</summary>
    public required IReadOnlyList<int> Overviews { get; init; }

    public required ExecutionDevice Device { get; init; }

    public required int Batch { get; init; }

    /// <summary>Workers per parallel stage.</summary>
    public required int Workers { get; init; }

    /// <summary>What a resume must find in the journal: every pixel-affecting option, the scale and the input (<see cref="ResumeJournal.FingerprintOf"/>).</summary>
    public required string Fingerprint { get; init; }
}
