using System.CommandLine;
using System.Globalization;
using SatSR.Cli.Terminal;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tiling;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary><c>satsr upscale INPUT OUTPUT [options]</c>: the main job; <c>satsr upscale INPUT… FOLDER/</c> for many scenes (<see cref="UpscaleScenes"/>).</summary>
internal static class UpscaleCommand
{
    // One argument for both: System.CommandLine gives every path to a first argument of many values, leaving none for a second.
    private static readonly Argument<string[]> Paths = PathsArgument();

    private static Argument<string[]> PathsArgument()
    {
        var paths = new Argument<string[]>("INPUT… OUTPUT")
        {
            Description = "Input raster (any format GDAL reads; an http(s) URL, /vsicurl/ or /vsis3/ path; a STAC item with --asset) and output GeoTIFF; " +
                "or several inputs, folders of rasters or patterns such as 'tiles/*.tif', " +
                "and an output folder (existing, or given with a trailing /) that gets FOLDER/<input name>.tif",
            Arity = ArgumentArity.OneOrMore,
        };
        // Many values take whatever no option claims, a misspelt option too: that stays a parse error.
        paths.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.Length > 1 && t.Value.StartsWith('-')) is { } unknown)
            {
                result.AddError($"Unrecognized command or argument '{unknown.Value}'");
            }
        });
        return paths;
    }
    private static readonly Option<int?> Scale = new("--scale", "-s") { Description = "Output scale: 2, 3 or 4 (default: the model's)" };
    private static readonly Option<double?> OutScale = new("--outscale") { Description = "Any output factor ≥ 1 instead of --scale, e.g. 2.5: the model's output resampled (area when shrinking, Lanczos-3 when enlarging) to round(W·F)×round(H·F)" };
    private static readonly Option<int?> Tile = new("--tile") { Description = "Tile size in input pixels (default: the largest whose tiles in flight fit --memory, so little overlap is recomputed)" };
    private static readonly Option<int?> Batch = new("--batch") { Description = "Tiles per runtime call (default: 1 on the CPU, 4 on a GPU)" };
    private static readonly Option<string?> Memory = new("--memory") { Description = "Memory for tiles in flight, e.g. 2G or 512M; sets the default tile size (default: a quarter of RAM, at most 8G)" };
    private static readonly Option<int> QueueDepth = new("--queue-depth") { Description = "Items waiting between two pipeline stages", DefaultValueFactory = _ => 2 };
    private static readonly Option<int?> Overlap = new("--overlap") { Description = "Overlap on each tile side in input pixels (default: the model's receptive field)" };
    internal static readonly Option<ExecutionDevice> Device = new("--device") { Description = "auto, cpu, cuda or tensorrt", DefaultValueFactory = _ => ExecutionDevice.Auto };
    private static readonly Option<string?> Nodata = new("--nodata") { Description = "Nodata value of the input, or 'none' (default: from the file; 0 for 8-bit files without one)" };
    private static readonly Option<string[]> Co = new("--co") { Description = "Creation option NAME=VALUE of the output's GDAL driver, GTiff or COG (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<OutputFormat> Format = new("--format") { Description = "gtiff (tiled GeoTIFF) or cog (Cloud-Optimized GeoTIFF)", DefaultValueFactory = _ => OutputFormat.GTiff };
    private static readonly Option<string> Overviews = new("--overviews") { Description = "Overview factors: auto (2, 4, … down to about 256 px), none, or a list such as 2,4,8", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace an existing output file" };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue an interrupted run of the same input, model and options" };
    private static readonly Option<BlendMode> Blend = new("--blend") { Description = "feather (seam-free) or hardcrop (Real-ESRGAN's tile mode)", DefaultValueFactory = _ => BlendMode.Feather };
    private static readonly Option<string?> Bands = new("--bands") { Description = "Bands to process, comma-separated and 1-based; the first three are the RGB the network sees (e.g. 3,2,1,4)" };
    private static readonly Option<string[]> Range = new("--range") { Description = "Values mapped to the network's 0..1: LOW,HIGH for every band or BAND:LOW,HIGH (repeatable; default: see --stretch, 8-bit 0,255)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<Stretch> StretchOption = new("--stretch") { Description = "bitdepth: 0 to the top of the bit depth the values need (default; the same for every scene of a sensor), or percentile: the image's own 0.1–99.9 percentiles", DefaultValueFactory = _ => Stretch.BitDepth };
    internal static readonly Option<bool> Consistency = new("--consistency") { Description = "Correct the output so that averaging it back down reproduces the input (the default for SatSR's own models)" };
    internal static readonly Option<string?> ModelWeightOption = new("--model-weight")
    {
        Description = "The network's weight against bicubic, 0 to 1, or auto: measured on the scene one scale down (the default for SatSR's own models; 1 for every other)",
    };
    internal static readonly Option<bool> NoConsistency = new("--no-consistency") { Description = "Leave the network's output uncorrected (the default for every model but SatSR's own)" };
    internal static readonly Option<Precision> PrecisionOption = new("--precision")
    {
        Description = "fp32, fp16 (for GPUs) or int8 (integer convolutions calibrated on the input's own tiles; not faster on CPUs without VNNI, see docs/BENCHMARKS.md)", DefaultValueFactory = _ => Precision.Fp32,
    };
    private static readonly Option<bool> Tta = new("--tta") { Description = "Test-time augmentation: average the 8 flips and quarter turns of every tile (8× slower)" };
    private static readonly Option<string?> ShardOption = new("--shard") { Description = "Process shard i of N (i/N, 0 ≤ i < N): its rows of output blocks into OUTPUT's part file OUTPUT.part-i-of-N.tif, for `satsr merge`" };
    internal static readonly Option<string?> Parts = new("--parts") { Description = "Folder of the part files (default: beside OUTPUT)" };
    internal static readonly Option<int> Threads = new("--threads") { Description = "Inference threads, and workers per pipeline stage (0: all cores, at most 4 workers)", DefaultValueFactory = _ => 0 };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("upscale", "Super-resolve a georeferenced raster into a tiled GeoTIFF")
        {
            Paths, CommonOptions.Asset, CommonOptions.Config, CommonOptions.Model, Scale, OutScale, Tile, Overlap, Device, Nodata, Co, Format, Overviews, Overwrite, Resume, Blend, Bands, Range, StretchOption, Consistency, NoConsistency, ModelWeightOption, Tta, PrecisionOption, ShardOption, Parts, Threads, Batch, Memory, QueueDepth,
        };
        command.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), async () =>
        {
            // GDAL's and ONNX Runtime's libraries load (dynamic linking, ≈0.1 s each) on another core while the command line
            // and the model are read (docs/BENCHMARKS.md, "Pipeline").
            var native = Task.Run(LoadNativeLibraries, ct);
            var options = ToOptions(parse);
            options.Validate();
            var (inputs, output) = InputsAndOutput(parse);
            if (UpscaleScenes.AreMany(inputs, output))
            {
                if (parse.GetValue(CommonOptions.Asset) is not null) throw new InvalidOptionsException("--asset picks one STAC item's asset; give one item and an output file");
                CommonOptions.ApplyConfig(parse.GetValue(CommonOptions.Config) ?? []);
                await native;
                return await UpscaleScenes.Run(console, error, parse.GetValue(CommonOptions.Verbose), options, inputs, ct);
            }
            options = await ResolveInput(parse, options, ct);
            await native;
            var result = await GdalNotes.Around(console, () => SpectreProgress.Run(console, Path.GetFileName(options.InputPath), progress => Execute(options, progress, ct)));
            console.MarkupLineInterpolated(
                $"[green]wrote[/] {result.OutputPath} ({result.Width}×{result.Height}, {Factor(result)}, {result.TilesInferred} tiles on {result.Device}, {result.Elapsed.TotalSeconds:F1} s)");
            console.MarkupLineInterpolated(
                $"consistency PSNR {Decibels(result.ConsistencyBefore)} from the network, {Decibels(result.ConsistencyAfter)} as written{(options.Consistency ? " (consistency correction on)" : "")}");
            if (options.ModelWeight is null || result.ModelWeight < 1)
            {
                console.MarkupLineInterpolated($"network weight {result.ModelWeight:0.###} against bicubic{(options.ModelWeight is null ? " (measured on the scene)" : "")}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The input as GDAL reads it: an http(s) URL through /vsicurl/, a STAC item's asset; and --config's GDAL settings in
    /// force before it is opened.
    /// </summary>
    private static async Task<UpscaleOptions> ResolveInput(ParseResult parse, UpscaleOptions options, CancellationToken ct)
    {
        CommonOptions.ApplyConfig(parse.GetValue(CommonOptions.Config) ?? []);
        return options with { InputPath = await StacItem.ResolveInputAsync(options.InputPath, parse.GetValue(CommonOptions.Asset), ct) };
    }

    /// <summary>The real scale as written: ×2.5, or ×2.5×2.4878 when rounding to whole pixels made the axes differ.</summary>
    internal static string Factor(UpscaleResult result) => result.ScaleX == result.ScaleY
        ? FormattableString.Invariant($"×{result.ScaleX:0.####}")
        : FormattableString.Invariant($"×{result.ScaleX:0.####}×{result.ScaleY:0.####}");

    /// <summary>A PSNR for people: "identical" rather than "Infinity dB", "n/a" when nothing valid was compared.</summary>
    internal static string Decibels(double psnr) => psnr switch
    {
        double.PositiveInfinity => "identical (no difference)",
        double.NaN => "n/a (no valid pixels)",
        _ => FormattableString.Invariant($"{psnr:F1} dB"),
    };

    /// <summary>GDAL caches 5% of RAM by default; every output block is written once, so a small cache is enough.</summary>
    private const long GdalCacheBytes = 256L << 20;

    private static void LoadNativeLibraries()
    {
        Gdal.SetCacheMax(GdalCacheBytes);
        _ = InferenceEngine.AvailableProviders;
    }

    internal static UpscaleResult Execute(UpscaleOptions options, IProgress<UpscaleProgress> progress, CancellationToken ct)
    {
        Gdal.SetCacheMax(GdalCacheBytes);
        return Upscaler.Run(options, progress, ct);
    }

    /// <summary><see cref="Execute"/> for many scenes, with one engine.</summary>
    internal static IReadOnlyList<SceneResult> ExecuteScenes(IReadOnlyList<Scene> scenes, UpscaleOptions options, IProgress<SceneProgress> progress, CancellationToken ct)
    {
        Gdal.SetCacheMax(GdalCacheBytes);
        return SceneRun.Run(scenes, options, progress, ct);
    }

    /// <summary>Maps the parsed command line onto <see cref="UpscaleOptions"/>; no file is touched here.</summary>
    internal static UpscaleOptions ToOptions(ParseResult parse)
    {
        var (mode, value) = ParseNodata(parse.GetValue(Nodata));
        var options = new UpscaleOptions
        {
            InputPath = InputsAndOutput(parse).Inputs[0],
            OutputPath = InputsAndOutput(parse).Output,
            Model = ModelsCommand.Resolve(parse, parse.GetValue(Scale)),
            Scale = parse.GetValue(Scale),
            OutScale = parse.GetValue(OutScale),
            TileSize = parse.GetValue(Tile),
            Overlap = parse.GetValue(Overlap),
            Device = parse.GetValue(Device),
            Nodata = mode,
            NodataValue = value,
            CreationOptions = ParseCreationOptions(parse.GetValue(Co) ?? []),
            Format = parse.GetValue(Format),
            Overviews = ParseOverviews(parse.GetRequiredValue(Overviews)),
            Overwrite = parse.GetValue(Overwrite),
            Resume = parse.GetValue(Resume),
            Blend = parse.GetValue(Blend),
            Bands = ParseBands(parse.GetValue(Bands)),
            Ranges = (parse.GetValue(Range) ?? []).Select(ParseRange).ToList(),
            Stretch = parse.GetValue(StretchOption),
            Tta = parse.GetValue(Tta),
            Shard = parse.GetValue(ShardOption) is { } shard ? Shard.Parse(shard) : null,
            PartsFolder = parse.GetValue(Parts),
            Precision = parse.GetValue(PrecisionOption),
            Threads = parse.GetValue(Threads),
            Batch = parse.GetValue(Batch),
            MemoryBytes = ParseBytes("--memory", parse.GetValue(Memory)),
            QueueDepth = parse.GetValue(QueueDepth),
        };
        options = ConsistencyChoice(parse) is { } consistency ? options with { Consistency = consistency } : options;
        return ModelWeightChoice(parse, out var weight) ? options with { ModelWeight = weight } : options;
    }

    /// <summary>--model-weight: false when not given (the model's own default); else the number, or null for auto (measured).</summary>
    internal static bool ModelWeightChoice(ParseResult parse, out double? weight)
    {
        weight = null;
        switch (parse.GetValue(ModelWeightOption))
        {
            case null:
                return false;
            case "auto":
                return true;
            case var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var w):
                weight = w;
                return true;
            case var text:
                throw new InvalidOptionsException($"--model-weight {text}: give auto or a number from 0 to 1");
        }
    }

    /// <summary>The input paths and the output path (the last one) of the command line.</summary>
    internal static (string[] Inputs, string Output) InputsAndOutput(ParseResult parse)
    {
        var paths = parse.GetRequiredValue(Paths);
        return paths.Length >= 2
            ? (paths[..^1], paths[^1])
            : throw new InvalidOptionsException($"{paths[0]}: no output given (satsr upscale INPUT OUTPUT, or INPUT… FOLDER/ for many scenes)");
    }

    /// <summary>--consistency or --no-consistency; null when neither is given (the model's own default).</summary>
    internal static bool? ConsistencyChoice(ParseResult parse) => (parse.GetValue(Consistency), parse.GetValue(NoConsistency)) switch
    {
        (true, true) => throw new InvalidOptionsException("--consistency and --no-consistency: give one of them"),
        (true, false) => true,
        (false, true) => false,
        _ => null,
    };

    /// <summary>A size such as 2G, 512M or 1048576 (bytes); null when not given.</summary>
    internal static long? ParseBytes(string option, string? text)
    {
        if (text is null) return null;
        var t = text.Trim().ToUpperInvariant().TrimEnd('B', 'I');
        var shift = t.EndsWith('K') ? 10 : t.EndsWith('M') ? 20 : t.EndsWith('G') ? 30 : t.EndsWith('T') ? 40 : 0;
        if (shift > 0) t = t[..^1];
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) && v * (1L << shift) < long.MaxValue
            ? (long)(v * (1L << shift))
            : throw new InvalidOptionsException($"{option} {text}: expected a size such as 2G, 512M or a number of bytes");
    }

    private static (NodataMode, double) ParseNodata(string? text) => text switch
    {
        null => (NodataMode.FromFile, 0),
        _ when text.Equals("none", StringComparison.OrdinalIgnoreCase) => (NodataMode.None, 0),
        _ when text.Equals("nan", StringComparison.OrdinalIgnoreCase) => (NodataMode.Value, double.NaN),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => (NodataMode.Value, v),
        _ => throw new InvalidOptionsException($"--nodata {text}: expected a number or 'none'"),
    };

    /// <summary>null for auto (the pipeline picks the factors), empty for none.</summary>
    private static int[]? ParseOverviews(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => null,
        "none" => [],
        _ => text.Split(',').Select(item =>
            int.TryParse(item.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var f)
                ? f
                : throw new InvalidOptionsException($"--overviews {text}: expected auto, none or factors separated by commas, e.g. 2,4,8")).ToArray(),
    };

    internal static int[] ParseBands(string? text) => text is null ? [] : text.Split(',').Select(item =>
        int.TryParse(item.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            ? b
            : throw new InvalidOptionsException($"--bands {text}: expected band numbers separated by commas, e.g. 3,2,1")).ToArray();

    /// <summary><c>LOW,HIGH</c> for every band or <c>BAND:LOW,HIGH</c> for one.</summary>
    private static RangeOverride ParseRange(string text)
    {
        var colon = text.IndexOf(':');
        var bounds = text[(colon + 1)..].Split(',');
        int? band = null;
        if (colon >= 0)
        {
            band = int.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : null;
        }
        if ((colon >= 0 && band is null) || bounds.Length != 2 ||
            !double.TryParse(bounds[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var low) ||
            !double.TryParse(bounds[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var high))
        {
            throw new InvalidOptionsException($"--range {text}: expected LOW,HIGH or BAND:LOW,HIGH, e.g. 0,4095 or 2:100,3000");
        }
        return new RangeOverride(band, low, high);
    }

    private static Dictionary<string, string> ParseCreationOptions(IEnumerable<string> items)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new InvalidOptionsException($"--co {item}: expected NAME=VALUE");
            result[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return result;
    }
}
