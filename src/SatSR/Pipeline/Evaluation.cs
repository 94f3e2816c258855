using System.Diagnostics;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;
using SatSR.Pixels;
using SatSR.Quality;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Pipeline;

/// <summary>What <see cref="Evaluation.Run"/> measures: a model on a high-resolution reference image.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Largest region evaluated at once (pixels × bands): each sample is held about six times, as doubles.</summary>
    public const long MaxSamples = 16L << 20;

    public required string ReferencePath { get; init; }
    public required ModelDescriptor Model { get; init; }
    public int Scale { get; init; } = 4;

    /// <summary>Pixels of the reference to evaluate; null means the whole image. Cut down to whole s×s blocks.</summary>
    public Window? Region { get; init; }

    public DegradationKind Degradation { get; init; } = DegradationKind.Area;
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;
    /// <summary>Core tile size; null chooses it as upscale does.</summary>
    public int? TileSize { get; init; }
    public int Threads { get; init; }

    /// <summary>
    /// Run the model as <c>upscale --consistency</c> does (output corrected to area-average back to its input); when not
    /// set, as <c>upscale</c> runs the model by default (<see cref="ModelDescriptor.Consistency"/>).
    /// </summary>
    public bool Consistency { get => _consistency ?? Model.Consistency; init => _consistency = value; }
    private readonly bool? _consistency;

    /// <summary>The network's weight against bicubic, as <see cref="UpscaleOptions.ModelWeight"/> (null: measured on the low-resolution image); when not set, the model's default.</summary>
    public double? ModelWeight
    {
        get => _modelWeightSet ? _modelWeight : Model.MeasuredWeight ? null : 1;
        init => (_modelWeight, _modelWeightSet) = (value, true);
    }
    private readonly double? _modelWeight;
    private readonly bool _modelWeightSet;

    /// <summary>Folder for the low-resolution input and the model's output while the evaluation runs (removed after); null: the system's temp folder.</summary>
    public string? WorkDirectory { get; init; }

    public void Validate()
    {
        if (Scale is < 2 or > 4) throw new InvalidOptionsException($"{OptionName.Scale} must be 2, 3 or 4 (got {Scale})", Scale);
        if (Region is { } r && (r.Column < 0 || r.Row < 0 || r.Width <= 0 || r.Height <= 0))
        {
            throw new InvalidOptionsException($"{OptionName.Region} {r.Column},{r.Row},{r.Width},{r.Height}: x and y must not be negative, width and height must be positive", r);
        }
        if (string.IsNullOrWhiteSpace(ReferencePath)) throw new InvalidOptionsException("no reference image given");
        if (Degradation is not (DegradationKind.Area or DegradationKind.Mtf))
        {
            throw new InvalidOptionsException($"{OptionName.Degradation} {Degradation.ToString().ToLowerInvariant()}: is random, for training; eval degrades by area or mtf", Degradation);
        }
    }
}

/// <summary>One band's scores; <see cref="Peak"/> is the PSNR peak and SSIM data range used for it.</summary>
public sealed record BandScores(int Band, double Peak, Score Model, Score Bicubic, Score Lanczos);

/// <summary>
/// The figures of one evaluation. The overall PSNR pools every band's squared error in units of its own peak; the
/// overall SSIM is the mean of the bands'. <see cref="Consistency"/> is the model output's consistency PSNR (area
/// average back against the low-resolution input, as <see cref="UpscaleResult.ConsistencyAfter"/>).
/// </summary>
public sealed record EvaluationResult(
    string ModelName,
    int Scale,
    Window Region,
    DegradationKind Degradation,
    Score Model,
    Score Bicubic,
    Score Lanczos,
    IReadOnlyList<BandScores> Bands,
    double Consistency,
    long ValidPixels,
    TimeSpan Elapsed)
{
    /// <summary>Whether the model's output was corrected for consistency (<see cref="EvaluationOptions.Consistency"/>).</summary>
    public bool Corrected { get; init; }

    /// <summary>The network's weight against bicubic the model's output was made with (<see cref="EvaluationOptions.ModelWeight"/>).</summary>
    public double ModelWeight { get; init; } = 1;

    /// <summary>σ of the MTF blur in reference pixels; null for area degradation.</summary>
    public double? MtfSigma => Degradation == DegradationKind.Mtf ? Quality.Degradation.MtfSigma(Scale) : null;
}

/// <summary>
/// The remote-sensing protocol for checking a model (Wald et al. 1997): degrade a high-resolution reference by the
/// scale, super-resolve the result with SatSR's own pipeline, and compare with the reference on valid pixels, next
/// to bicubic and Lanczos enlargements of the same low-resolution image.
/// </summary>
public static class Evaluation
{
    /// <summary>
    /// Runs the evaluation. The low-resolution image is written as a GeoTIFF of the reference's type (rounded like any
    /// product; a block with any nodata pixel is nodata) and upscaled by <see cref="Upscaler.Run"/>; the baselines
    /// enlarge the same stored values and are rounded to the type too. Pixels compared: those whose low-resolution
    /// pixel is valid. PSNR peak and SSIM data range per band: 255 for 8-bit, 2ⁿ−1 for unsigned data that declares n
    /// bits, otherwise the reference's valid maximum minus minimum over the region.
    /// </summary>
    public static EvaluationResult Run(EvaluationOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        int s = options.Scale;
        using var reference = RasterDataset.Open(options.ReferencePath);
        var profile = reference.Profile;
        var region = Region(options, profile);
        var bands = Enumerable.Range(1, profile.BandCount).Where(b => profile.Bands[b - 1].ColorInterpretation != ColorInterpretation.Alpha).ToArray();
        if (bands.Length == 0) throw new InvalidOptionsException($"{options.ReferencePath}: has only alpha bands, nothing to evaluate");

        int w = region.Width, h = region.Height, n = w * h, lw = w / s, lh = h / s, ln = lw * lh;
        var all = new double[profile.BandCount * n];
        reference.Read<double>(region, Enumerable.Range(1, profile.BandCount).ToArray(), all);
        var valid = new byte[n];
        var validity = Validity.For(reference, NodataMode.FromFile, 0);
        if (validity.Evaluate(region, all, valid) == 0) throw new InvalidOptionsException($"{options.ReferencePath}: the region {region} holds only nodata");
        var fine = bands.SelectMany(b => all.AsSpan((b - 1) * n, n).ToArray()).ToArray();

        var coarse = new double[bands.Length * ln];
        var coarseValid = new byte[ln];
        Degradation.Apply(options.Degradation, s, fine, valid, w, h, bands.Length, coarse, coarseValid);
        var nodata = validity.OutputNodata;
        // Stored as a product would be; a valid value is never stored as nodata.
        var encoder = SampleEncoder.For(profile.DataType, nodata);
        for (var i = 0; i < coarse.Length; i++) coarse[i] = coarseValid[i % ln] != 0 ? encoder.Encode(coarse[i]) : nodata ?? 0;

        var work = Directory.CreateDirectory(Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "satsr-eval-" + Path.GetRandomFileName())).FullName;
        try
        {
            var lowPath = WriteLowResolution(Path.Combine(work, "low.tif"), profile, region, s, bands, nodata, coarse);
            var upscale = Upscaler.Run(new UpscaleOptions
            {
                InputPath = lowPath,
                OutputPath = Path.Combine(work, "model.tif"),
                Model = options.Model,
                Scale = s,
                Device = options.Device,
                TileSize = options.TileSize,
                Threads = options.Threads,
                Consistency = options.Consistency,
                ModelWeight = options.ModelWeight,
                // The stored low-resolution file no longer declares the reference's bit depth; give its range instead.
                Ranges = BitDepthPeak(profile) is { } bitPeak ? [new RangeOverride(null, 0, bitPeak)] : [],
            }, progress, cancellationToken);

            var storeEncoder = SampleEncoder.For(profile.DataType, null);
            double[][] methods =
            [
                ReadAll(upscale.OutputPath, bands.Length, w, h),
                Enlarge(Baseline.Bicubic, s, coarse, coarseValid, lw, lh, bands.Length, storeEncoder),
                Enlarge(Baseline.Lanczos, s, coarse, coarseValid, lw, lh, bands.Length, storeEncoder),
            ];
            var compared = new byte[n];
            for (var i = 0; i < n; i++) compared[i] = coarseValid[i / w / s * lw + i % w / s];

            var peaks = new double[bands.Length];
            for (var k = 0; k < bands.Length; k++) peaks[k] = Peak(profile, fine.AsSpan(k * n, n), valid);
            // Model, bicubic, Lanczos.
            var scores = methods.Select(m => Scores.Measure(fine, m, compared, w, h, peaks)).ToArray();
            var perBand = bands.Select((b, k) => new BandScores(b, peaks[k], scores[0].Bands[k], scores[1].Bands[k], scores[2].Bands[k])).ToList();
            return new EvaluationResult(options.Model.Name, s, region, options.Degradation, scores[0].Overall, scores[1].Overall, scores[2].Overall,
                perBand, upscale.ConsistencyAfter, compared.Count(v => v != 0), clock.Elapsed) { Corrected = options.Consistency, ModelWeight = upscale.ModelWeight };
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The degraded region as a GeoTIFF of the reference's type: its bands but alpha, its transform moved to the region
    /// and s times coarser, nodata tagged. GCPs and RPCs describe the whole file's grid and are left out.
    /// </summary>
    private static string WriteLowResolution(string path, RasterProfile profile, Window region, int s, int[] bands, double? nodata, double[] coarse)
    {
        var low = profile with
        {
            Width = region.Width / s,
            Height = region.Height / s,
            Transform = profile.Transform?.ForWindow(region).Scaled(1.0 / s),
            Bands = bands.Select(b => profile.Bands[b - 1] with { Nodata = nodata, MaskFlags = MaskFlags.Nodata }).ToList(),
            Gcps = [],
            GcpProjection = null,
            Metadata = profile.Metadata.Where(kv => kv.Key != "RPC").ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        using var file = RasterDataset.Create(path, low, OutputEncoding.For(OutputFormat.GTiff, profile.DataType, new Dictionary<string, string>()).Streamed);
        file.Write<double>(new Window(0, 0, low.Width, low.Height), Enumerable.Range(1, bands.Length).ToArray(), coarse);
        return path;
    }

    /// <summary>The region asked for (or the whole image), checked against the image and cut down to whole s×s blocks.</summary>
    private static Window Region(EvaluationOptions options, RasterProfile profile)
    {
        var bounds = new Window(0, 0, profile.Width, profile.Height);
        var asked = options.Region ?? bounds;
        if (!bounds.Contains(asked))
        {
            throw new InvalidOptionsException(
                $"{options.ReferencePath}: {OptionName.Region} {asked.Column},{asked.Row},{asked.Width},{asked.Height} lies outside the {profile.Width}×{profile.Height} image", asked);
        }
        var s = options.Scale;
        var region = asked with { Width = asked.Width / s * s, Height = asked.Height / s * s };
        if (region.Width < Ssim.WindowSize || region.Height < Ssim.WindowSize)
        {
            throw new InvalidOptionsException(
                $"{options.ReferencePath}: the region {asked} is too small: at least {Ssim.WindowSize}×{Ssim.WindowSize} pixels in whole {s}×{s} blocks are needed");
        }
        if (region.Area * profile.BandCount > EvaluationOptions.MaxSamples)
        {
            throw new InvalidOptionsException(
                $"{options.ReferencePath}: {region.Width}×{region.Height} pixels × {profile.BandCount} band(s) is more than the {EvaluationOptions.MaxSamples >> 20} M samples evaluated at once; choose a part with {OptionName.Region} x,y,w,h", asked);
        }
        return region;
    }

    private static double? BitDepthPeak(RasterProfile profile) =>
        profile.DataType is RasterDataType.UInt16 or RasterDataType.UInt32 && profile.BitDepth is { } bits and > 0 and < 32 ? (1L << bits) - 1 : null;

    private static double Peak(RasterProfile profile, ReadOnlySpan<double> plane, ReadOnlySpan<byte> valid)
    {
        if (profile.DataType == RasterDataType.Byte) return 255;
        if (BitDepthPeak(profile) is { } bits) return bits;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var i = 0; i < plane.Length; i++)
        {
            if (valid[i] == 0) continue;
            min = Math.Min(min, plane[i]);
            max = Math.Max(max, plane[i]);
        }
        return max > min ? max - min : 1;
    }

    private static double[] Enlarge(Baseline kind, int s, double[] coarse, byte[] valid, int w, int h, int bands, SampleEncoder encoder)
    {
        var fine = new double[bands * w * s * h * s];
        Baselines.Upsample(kind, s, coarse, valid, w, h, bands, fine);
        for (var i = 0; i < fine.Length; i++) fine[i] = double.IsNaN(fine[i]) ? fine[i] : encoder.Encode(fine[i]);
        return fine;
    }

    private static double[] ReadAll(string path, int bands, int w, int h)
    {
        using var dataset = RasterDataset.Open(path);
        var values = new double[bands * w * h];
        dataset.Read<double>(new Window(0, 0, w, h), Enumerable.Range(1, bands).ToArray(), values);
        return values;
    }
}
