using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Models.Zoo;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Raster;

namespace SatSR.Bench;

internal static class Bench
{
    /// <summary>Times one upscale of INPUT and prints MP/s, the read/infer/write split and peak RSS.</summary>
    public static int Run(string[] args)
    {
        var input = args[0];
        var model = Model(Arg(args, "--model", "realesr-general-x4v3"));
        var folder = Directory.CreateTempSubdirectory("satsr-bench-").FullName;
        try
        {
            var options = new UpscaleOptions
            {
                InputPath = input,
                OutputPath = args.Contains("--output") ? Arg(args, "--output", "") : Path.Combine(folder, "out.tif"),
                Overwrite = true,
                Model = model,
                Device = Enum.Parse<ExecutionDevice>(Arg(args, "--device", "Cpu"), ignoreCase: true),
                TileSize = args.Contains("--tile") ? int.Parse(Arg(args, "--tile", "")) : null,
                Batch = args.Contains("--batch") ? int.Parse(Arg(args, "--batch", "")) : null,
                Threads = int.Parse(Arg(args, "--threads", "0")),
                Precision = Enum.Parse<Precision>(Arg(args, "--precision", "Fp32"), ignoreCase: true),
                Overlap = args.Contains("--overlap") ? int.Parse(Arg(args, "--overlap", "")) : null,
                Scale = args.Contains("--scale") ? int.Parse(Arg(args, "--scale", "")) : null,
                OutScale = args.Contains("--outscale") ? double.Parse(Arg(args, "--outscale", "")) : null,
                Format = Enum.Parse<OutputFormat>(Arg(args, "--format", "GTiff"), ignoreCase: true),
                Overviews = Arg(args, "--overviews", "auto") switch
                {
                    "auto" => null,
                    "none" => [],
                    var list => list.Split(',').Select(int.Parse).ToArray(),
                },
            };
            // 256 MB as the CLI sets it; lower values show how much of the peak is GDAL's block cache.
            Gdal.SetCacheMax(long.Parse(Arg(args, "--gdal-cache-mb", "256")) << 20);
            var r = Upscaler.Run(options);
            using var src = RasterDataset.Open(input);
            var mp = src.Profile.Width * (double)src.Profile.Height / 1e6;
            Console.WriteLine($"input        {input} ({src.Profile.Width}×{src.Profile.Height}, {src.Profile.BandCount} band(s), {mp:F1} MP)");
            Console.WriteLine($"model        {model.Name} ×{r.ScaleX}, tile {r.TileSize}, overlap {options.EffectiveOverlap}, batch {r.Batch}, device {r.Device}");
            Console.WriteLine($"output       {r.Width}×{r.Height} ({r.Width * (double)r.Height / 1e6:F1} MP), {new FileInfo(r.OutputPath).Length / 1048576.0:F1} MiB");
            Console.WriteLine($"tiles        {r.TilesInferred} inferred, {r.TilesSkipped} skipped (all nodata)");
            Console.WriteLine($"time         {r.Elapsed.TotalSeconds:F2} s wall; inference {r.InferTime / r.Elapsed:P1} of it; overviews {r.OverviewTime.TotalSeconds:F2} s, copy {r.CopyTime.TotalSeconds:F2} s");
            Console.WriteLine($"stages busy  {string.Join(", ", r.StageTimes.Select(t => $"{t.Stage} {t.Time.TotalSeconds:F2}"))} s (summed over workers; they overlap)");
            using (var written = RasterDataset.Open(r.OutputPath))
            {
                Console.WriteLine($"overviews    {(written.OverviewSizes.Count == 0 ? "none" : string.Join(", ", written.OverviewSizes.Select(o => $"{o.Width}×{o.Height}")))}");
            }
            Console.WriteLine($"speed        {r.MegapixelsPerSecond(mp):F3} input MP/s");
            Console.WriteLine($"peak RSS     {PeakRssBytes() / 1048576.0:F0} MiB");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// fp32 and int8 upscales of INPUT, alternating (so a busy neighbour slows both alike), N of each: the median wall
    /// times, their ratio, and the PSNR of the int8 output against the fp32 one (8-bit peak 255, all pixels).
    /// int8's time includes its calibration.
    /// </summary>
    public static int PrecisionRuns(string[] args)
    {
        var input = args[0];
        var model = Model(Arg(args, "--model", "realesr-general-x4v3"));
        var runs = int.Parse(Arg(args, "--runs", "3"));
        Int8Model.Tuning = new Int8Tuning(Enum.Parse<CalibrationMethod>(Arg(args, "--calibration", "percentile"), ignoreCase: true),
            int.Parse(Arg(args, "--keep-first", "1")), int.Parse(Arg(args, "--keep-last", "1")));
        var folder = Directory.CreateTempSubdirectory("satsr-bench-").FullName;
        try
        {
            var fp32 = new UpscaleOptions
            {
                InputPath = input, OutputPath = Path.Combine(folder, "fp32.tif"), Overwrite = true, Model = model,
                Device = ExecutionDevice.Cpu, TileSize = int.Parse(Arg(args, "--tile", "256")),
            };
            var int8 = fp32 with { OutputPath = Path.Combine(folder, "int8.tif"), Precision = Precision.Int8 };
            var times = (Fp32: new List<double>(), Int8: new List<double>());
            for (var k = 0; k < runs; k++)
            {
                times.Fp32.Add(Upscaler.Run(fp32).Elapsed.TotalSeconds);
                times.Int8.Add(Upscaler.Run(int8).Elapsed.TotalSeconds);
            }
            double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
            Console.WriteLine($"model {model.Name}, input {input}, tile {fp32.TileSize}, {runs} runs each, calibration {Int8Model.Tuning}");
            Console.WriteLine($"fp32 {Median(times.Fp32):F2} s  int8 {Median(times.Int8):F2} s  speed-up {Median(times.Fp32) / Median(times.Int8):F2}×  " +
                $"PSNR int8 vs fp32 {Psnr(ReadAll(fp32.OutputPath), ReadAll(int8.OutputPath)):F2} dB");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Builds a square GeoTIFF of about MEGAPIXELS by repeating a real scene (mirrored, so no hard seams).</summary>
    public static int Mosaic(string[] args)
    {
        var (samplePath, output, megapixels) = (args[0], args[1], double.Parse(args[2]));
        using var sample = RasterDataset.Open(samplePath);
        var p = sample.Profile;
        // Square unless --width is given: same width, more rows, shows what the image's height costs in memory.
        var width = int.Parse(Arg(args, "--width", ((int)Math.Sqrt(megapixels * 1e6)).ToString()));
        var height = (int)Math.Round(megapixels * 1e6 / width);
        var bands = Enumerable.Range(1, p.BandCount).ToArray();
        var whole = new double[bands.Length * p.Width * p.Height];
        sample.Read<double>(new Window(0, 0, p.Width, p.Height), bands, whole);
        var profile = p with { Width = width, Height = height };
        var co = new Dictionary<string, string> { ["TILED"] = "YES", ["COMPRESS"] = "DEFLATE", ["BIGTIFF"] = "IF_SAFER" };
        using var dst = RasterDataset.Create(output, profile, co);
        const int stripRows = 256;
        var strip = new double[bands.Length * width * stripRows];
        for (var top = 0; top < height; top += stripRows)
        {
            var rows = Math.Min(stripRows, height - top);
            for (var b = 0; b < bands.Length; b++)
                for (var y = 0; y < rows; y++)
                    for (var x = 0; x < width; x++)
                        strip[(b * rows + y) * width + x] = whole[(b * p.Height + Mirror(top + y, p.Height)) * p.Width + Mirror(x, p.Width)];
            dst.Write<double>(new Window(0, top, width, rows), bands, strip.AsSpan(0, bands.Length * width * rows));
        }
        Console.WriteLine($"wrote {output}: {width}×{height} ({width * (double)height / 1e6:F1} MP)");
        return 0;
    }

    /// <summary>PSNR (dB, 0..255) of tiled runs against the whole-image run, for several overlaps and both blend modes.</summary>
    public static int OverlapSweep(string[] args)
    {
        var input = args[0];
        var model = Model(Arg(args, "--model", "realesr-general-x4v3"));
        var tile = int.Parse(Arg(args, "--tile", "64"));
        var folder = Directory.CreateTempSubdirectory("satsr-overlap-").FullName;
        try
        {
            using var src = RasterDataset.Open(input);
            var baseOptions = new UpscaleOptions
            {
                InputPath = input, OutputPath = Path.Combine(folder, "whole.tif"), Model = model, Device = ExecutionDevice.Cpu,
                TileSize = Math.Max(src.Profile.Width, src.Profile.Height), Overlap = 0,
            };
            var whole = ReadAll(Upscaler.Run(baseOptions).OutputPath);
            Console.WriteLine($"{model.Name}, {input}, tile {tile}: PSNR of tiled vs whole-image output");
            foreach (var blend in new[] { SatSR.Tiling.BlendMode.Feather, SatSR.Tiling.BlendMode.HardCrop })
            {
                foreach (var overlap in new[] { 0, 4, 8, 10, 16, 24, 32 })
                {
                    var path = Path.Combine(folder, $"t{overlap}{blend}.tif");
                    var tiled = ReadAll(Upscaler.Run(baseOptions with { OutputPath = path, TileSize = tile, Overlap = overlap, Blend = blend }).OutputPath);
                    Console.WriteLine($"  {blend,-9} overlap {overlap,2}: {Psnr(whole, tiled),6:F2} dB");
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The model's effective receptive field, measured: flip one input pixel in the middle of a real image and report,
    /// for each distance (input pixels, Chebyshev), the largest change it causes in the output (0..255). The overlap
    /// a model needs is the distance beyond which the change stays below what 8 bits can show.
    /// </summary>
    public static int Reach(string[] args)
    {
        var input = args[0];
        var model = Model(Arg(args, "--model", "realesr-general-x4v3"));
        var side = int.Parse(Arg(args, "--size", "160"));
        using var src = RasterDataset.Open(input);
        var p = src.Profile;
        var window = new Window((p.Width - side) / 2, (p.Height - side) / 2, side, side);
        var pixels = new double[side * side];
        src.Read<double>(window, [1], pixels);
        using var engine = InferenceEngine.Create(model, ExecutionDevice.Cpu, side, side);
        float[] Infer(int flipped)
        {
            for (var c = 0; c < engine.Channels; c++)
                for (var i = 0; i < pixels.Length; i++)
                    engine.Input[c * pixels.Length + i] = (float)(i == flipped ? 1 - pixels[i] / 255 : pixels[i] / 255);
            engine.Run();
            return engine.Output.ToArray();
        }
        var centre = side / 2 * side + side / 2;
        var before = Infer(-1);
        var after = Infer(centre);
        var s = engine.Scale;
        var os = side * s;
        var change = new double[side];
        for (var c = 0; c < engine.OutputChannels; c++)
            for (var y = 0; y < os; y++)
                for (var x = 0; x < os; x++)
                {
                    var d = Math.Max(Math.Abs(y / s - side / 2), Math.Abs(x / s - side / 2));
                    var i = (c * os + y) * os + x;
                    change[d] = Math.Max(change[d], Math.Abs(after[i] - before[i]) * 255);
                }
        Console.WriteLine($"{model.Name}: largest output change (0..255) from one flipped input pixel, by distance in input pixels");
        for (var d = 0; d < side / 2; d += d < 16 ? 2 : 4) Console.WriteLine($"  {d,3} px: {change[d]:F4}");
        var visible = Array.FindLastIndex(change, v => v >= 0.5);
        var faint = Array.FindLastIndex(change, v => v >= 0.01);
        Console.WriteLine($"reach: changes ≥ 0.5 (visible in 8 bits) up to {visible} px, ≥ 0.01 up to {faint} px");
        return 0;
    }

    /// <summary>A zoo name or file, or "nearest-x4": a graph that only repeats pixels, to measure the pipeline without the network.</summary>
    internal static ModelDescriptor Model(string name) =>
        name == "nearest-x4" ? NearestModel() : new ModelZoo(ModelZoo.DefaultCacheDirectory).Resolve(name);

    public static int WriteNearestModel(string path)
    {
        File.WriteAllBytes(path, NearestModel().OnnxModel);
        return 0;
    }

    private static ModelDescriptor NearestModel()
    {
        var g = new SatSR.Models.Onnx.OnnxGraphBuilder("nearest-x4");
        g.ResizeNearest(g.Input("input", 3), 4, "output");
        g.Output("output", 3);
        var bytes = g.ToBytes();
        return new ModelDescriptor("nearest-x4", "nearest", 4, 3, 3, SizeRequirements.Any, bytes, 0, "bench", NetworkFootprint.OfGraph(bytes));
    }

    private static double[] ReadAll(string path)
    {
        using var ds = RasterDataset.Open(path);
        var p = ds.Profile;
        var data = new double[p.BandCount * p.Width * p.Height];
        ds.Read<double>(new Window(0, 0, p.Width, p.Height), Enumerable.Range(1, p.BandCount).ToArray(), data);
        return data;
    }

    private static double Psnr(double[] a, double[] b)
    {
        double mse = 0;
        for (var i = 0; i < a.Length; i++) mse += (a[i] - b[i]) * (a[i] - b[i]);
        mse /= a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255 * 255 / mse);
    }

    private static int Mirror(int i, int n)
    {
        var period = 2 * n;
        var m = i % period;
        return m < n ? m : period - 1 - m;
    }

    /// <summary>
    /// Peak RSS before and after one CPU inference of a SIZE×SIZE tile (batch B): the difference is what the session
    /// takes for that tile, weights and activations; over two sizes it gives the bytes per tile pixel.
    /// </summary>
    public static int Activation(string[] args)
    {
        var model = Model(args[0]);
        var size = int.Parse(args[1]);
        var batch = int.Parse(Arg(args, "--batch", "1"));
        var before = PeakRssBytes();
        using var engine = InferenceEngine.Create(model, ExecutionDevice.Cpu, size, size, 0, batch);
        engine.Run();
        Console.WriteLine($"{model.Name} {size} {batch} {before} {PeakRssBytes()} {(PeakRssBytes() - before) / (double)((long)size * size * batch):F0}");
        return 0;
    }

    private static long PeakRssBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    internal static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
