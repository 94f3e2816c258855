using System.Globalization;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Buffers;
using SatSR.Radiometry;
using SatSR.Tiling;

namespace SatSR.Pipeline.Options;

/// <summary>Everything one upscale job needs. Immutable; <see cref="Validate"/> runs before any file is touched.</summary>
public sealed record UpscaleOptions
{
    public required string InputPath { get; init; }
    public required string OutputPath { get; init; }
    public required ModelDescriptor Model { get; init; }

    /// <summary>Output scale; null means the model's own (or <see cref="OutScale"/>).</summary>
    public int? Scale { get; init; }

    /// <summary>
    /// Any output factor ≥ 1 instead of <see cref="Scale"/>: the output is round(W·F)×round(H·F) pixels. The network
    /// runs at the smallest integer scale that reaches F (at most its own) and the result is resampled to the exact
    /// size (area when shrinking, Lanczos-3 when enlarging); an integer F the model reaches is that <see cref="Scale"/>.
    /// </summary>
    public double? OutScale { get; init; }

    /// <summary>Core tile size in input pixels; null chooses it from <see cref="MemoryBytes"/> (see TileSizing).</summary>
    public int? TileSize { get; init; }

    /// <summary>Tiles per runtime call, all of the plan's one shape; null: one on the CPU, four on a GPU.</summary>
    public int? Batch { get; init; }

    /// <summary>Items that may wait between two stages beyond those being worked on; more smooths uneven stages, less saves memory.</summary>
    public int QueueDepth { get; init; } = 2;

    /// <summary>Memory the tiles in flight may take (network activations included), for choosing the tile size; null: a quarter of RAM, at most 8 GiB.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Overlap on each side of a tile in input pixels; null picks the model's (<see cref="ModelDescriptor.Footprint"/>).</summary>
    public int? Overlap { get; init; }

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    /// <summary>The number format the network runs in; fp16 and int8 change pixels (slightly), so a resume must keep it.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    public NodataMode Nodata { get; init; } = NodataMode.FromFile;
    public double NodataValue { get; init; }
    public BlendMode Blend { get; init; } = BlendMode.Feather;

    /// <summary>
    /// GDAL creation options of the output's driver (GTiff's, or COG's with <see cref="OutputFormat.Cog"/>); these
    /// override SatSR's defaults (tiled 512², DEFLATE, BIGTIFF=IF_SAFER).
    /// </summary>
    public IReadOnlyDictionary<string, string> CreationOptions { get; init; } = new Dictionary<string, string>();

    public OutputFormat Format { get; init; } = OutputFormat.GTiff;

    /// <summary>
    /// Overview factors (2: half the size), built into the output after the full-resolution pass; null picks them
    /// (<see cref="OverviewFactors"/>), empty builds none.
    /// </summary>
    public IReadOnlyList<int>? Overviews { get; init; }

    public bool Overwrite { get; init; }

    /// <summary>
    /// Input bands to process (1-based), the first three as the network's RGB when three or more are given; empty
    /// means every band but alpha. The output has these bands (and any alpha band) in the input's order.
    /// </summary>
    public IReadOnlyList<int> Bands { get; init; } = [];

    /// <summary>Values that map to the network's 0..1 instead of the measured ones (all bands, or one band each).</summary>
    public IReadOnlyList<RangeOverride> Ranges { get; init; } = [];

    /// <summary>How values are mapped to the network's 0..1 where <see cref="Ranges"/> says nothing.</summary>
    public Stretch Stretch { get; init; } = Stretch.BitDepth;

    /// <summary>
    /// Correct the output so that area-averaging it by the scale reproduces the input; when not set, the model's own
    /// default (<see cref="ModelDescriptor.Consistency"/>).
    /// </summary>
    public bool Consistency { get => _consistency ?? Model.Consistency; init => _consistency = value; }
    private readonly bool? _consistency;

    /// <summary>
    /// The network's weight against bicubic, 0 to 1: the output is weight·network + (1 − weight)·bicubic, before the
    /// consistency correction. Null: measured on the scene one scale down (<c>--model-weight auto</c>). When not set, the
    /// model's own default (<see cref="ModelDescriptor.MeasuredWeight"/>: measured, else 1).
    /// </summary>
    public double? ModelWeight
    {
        get => _modelWeightSet ? _modelWeight : Model.MeasuredWeight ? null : 1;
        init => (_modelWeight, _modelWeightSet) = (value, true);
    }
    private readonly double? _modelWeight;
    private readonly bool _modelWeightSet;

    /// <summary>Test-time augmentation: every tile inferred in its 8 flips and quarter turns and the results averaged (8× the inference).</summary>
    public bool Tta { get; init; }

    /// <summary>Continue an interrupted run from its partial output and journal (same input, model and options).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Process only this shard's rows of output blocks into its part file (<see cref="ShardPart.PathFor"/>), for
    /// <c>satsr merge</c> to assemble; null processes the whole output.
    /// </summary>
    public Shard? Shard { get; init; }

    /// <summary>Where a shard's part file goes; null: beside the output.</summary>
    public string? PartsFolder { get; init; }

    /// <summary>ONNX Runtime intra-op threads; 0 lets the runtime decide.</summary>
    public int Threads { get; init; }

    /// <summary>Bytes the blending strip may take; wide images are processed in column chunks to stay under it.</summary>
    public long StripBudgetBytes { get; init; } = 256L << 20;

    /// <summary>Hears what the job's buffers came to once its stages ended, however they ended (tests check that all came back).</summary>
    internal Action<BufferCounts>? BuffersReturned { get; init; }

    public int EffectiveOverlap => Overlap ?? Model.Footprint.Overlap;

    /// <summary>Overviews smaller than this on their longer side are not worth a level.</summary>
    public const int SmallestOverview = 256;

    /// <summary>
    /// The overview factors of a <paramref name="width"/>×<paramref name="height"/> output: <see cref="Overviews"/>, or
    /// by default 2, 4, 8, … until the last level fits in <see cref="SmallestOverview"/> pixels (gdaladdo's rule).
    /// </summary>
    public IReadOnlyList<int> OverviewFactors(int width, int height)
    {
        if (Overviews is { } given) return [.. given.Order()];
        var factors = new List<int>();
        for (var f = 2; Math.Max(width, height) > (long)SmallestOverview * (f / 2); f *= 2) factors.Add(f);
        return factors;
    }

    public void Validate()
    {
        if (TileSize <= 0) throw new InvalidOptionsException($"{OptionName.TileSize} must be positive (got {TileSize})", TileSize);
        if (TileSize > 8192) throw new InvalidOptionsException($"{OptionName.TileSize} {TileSize} is too large (at most 8192)", TileSize);
        if (Overlap is < 0) throw new InvalidOptionsException($"{OptionName.Overlap} must not be negative (got {Overlap})", Overlap);
        if (EffectiveOverlap >= TileSize) throw new InvalidOptionsException($"{OptionName.Overlap} ({EffectiveOverlap}) must be smaller than {OptionName.TileSize} ({TileSize})", EffectiveOverlap);
        if (Batch is < 1 or > 256) throw new InvalidOptionsException($"{OptionName.Batch} must be 1 to 256 (got {Batch})", Batch);
        if (QueueDepth is < 1 or > 64) throw new InvalidOptionsException($"{OptionName.QueueDepth} must be 1 to 64 (got {QueueDepth})", QueueDepth);
        if (MemoryBytes is < 16L << 20) throw new InvalidOptionsException($"{OptionName.MemoryBytes} must be at least 16 MiB (got {MemoryBytes / (1 << 20)} MiB)", MemoryBytes);
        if (ModelWeight is { } weight && !(weight >= 0 && weight <= 1))
        {
            throw new InvalidOptionsException($"{OptionName.ModelWeight} must be auto or a number from 0 to 1 (got {weight.ToString(CultureInfo.InvariantCulture)})", weight);
        }
        if (Scale is { } s && s is < 1 or > 4) throw new InvalidOptionsException($"{OptionName.Scale} must be 1, 2, 3 or 4 (got {s})", s);
        if (OutScale is { } f && !(double.IsFinite(f) && f >= 1))
        {
            throw new InvalidOptionsException($"{OptionName.OutScale} must be a number ≥ 1 (got {f.ToString(CultureInfo.InvariantCulture)})", f);
        }
        if (Scale is not null && OutScale is not null) throw new InvalidOptionsException($"{OptionName.Scale} and {OptionName.OutScale} cannot be combined; give one of them", Scale);
        if (Threads < 0) throw new InvalidOptionsException($"{OptionName.Threads} must not be negative (got {Threads})", Threads);
        if (Bands.FirstOrDefault(b => b < 1, 1) is var bad && bad < 1) throw new InvalidOptionsException($"{OptionName.Bands} {bad}: band numbers start at 1", bad);
        if (Bands.Count != Bands.Distinct().Count()) throw new InvalidOptionsException($"{OptionName.Bands} {string.Join(',', Bands)}: a band is listed twice", Bands);
        foreach (var r in Ranges)
        {
            if (r.Band is < 1) throw new InvalidOptionsException($"{OptionName.Ranges} {r}: band numbers start at 1", r);
            if (!double.IsFinite(r.Low) || !double.IsFinite(r.High) || r.Low >= r.High) throw new InvalidOptionsException($"{OptionName.Ranges} {r}: LOW must be below HIGH, both finite", r);
        }
        if (Overviews is { } levels)
        {
            if (levels.FirstOrDefault(f => f < 2, 2) is var small && small < 2) throw new InvalidOptionsException($"{OptionName.Overviews} {small}: factors are 2 or more (2 is half the size)", small);
            if (levels.Count != levels.Distinct().Count()) throw new InvalidOptionsException($"{OptionName.Overviews} {string.Join(',', levels)}: a factor is listed twice", levels);
        }
        if (PartsFolder is not null && Shard is null) throw new InvalidOptionsException($"{OptionName.PartsFolder} names where a shard's part goes; give {OptionName.Shard} i/N too", PartsFolder);
        if (string.IsNullOrWhiteSpace(InputPath)) throw new InvalidOptionsException("no input file given");
        if (string.IsNullOrWhiteSpace(OutputPath)) throw new InvalidOptionsException("no output file given");
    }
}
