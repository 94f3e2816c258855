using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SatSR.Geometry;
using SatSR.Models.Onnx;
using SatSR.Pipeline;
using SatSR.Raster;

namespace SatSR.Bench;

/// <summary>
/// Where ONNX Runtime spends one tile's time, per operator type, for the fp32 graph (as the CPU engine runs it, and with
/// its PReLUs as they are) and its int8 graph (calibrated as a
/// job calibrates, on 8 seeded tiles of band 1 scaled by the image's range, as 3 channels), from ONNX Runtime's own
/// profiler. The int8 graph runs at the level given (SatSR's: extended).
/// </summary>
internal static class OrtProfile
{
    public static int Run(string[] args)
    {
        var model = Bench.Model(Bench.Arg(args, "--model", "realesr-general-x4v3"));
        var side = int.Parse(Bench.Arg(args, "--side", "304"));
        var runs = int.Parse(Bench.Arg(args, "--runs", "3"));
        var level = Bench.Arg(args, "--int8-level", "extended") == "all" ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_ENABLE_EXTENDED;
        using var ds = RasterDataset.Open(args[0]);
        var p = ds.Profile;
        if (side > Math.Min(p.Width, p.Height)) throw new ArgumentException($"{args[0]}: --side {side} is larger than the image ({p.Width}×{p.Height})");
        var band = new double[p.Width * p.Height];
        ds.Read<double>(new Window(0, 0, p.Width, p.Height), [1], band);
        double lo = band.Min(), span = Math.Max(band.Max() - lo, 1);
        float[] Crop(int top, int left, int size)
        {
            var c = new float[3 * size * size];
            for (var i = 0; i < c.Length; i++)
            {
                var (y, x) = Math.DivRem(i % (size * size), size);
                c[i] = (float)((band[(top + y) * p.Width + left + x] - lo) / span);
            }
            return c;
        }
        // Eight tiles of the profiled size, quantised as a job quantises them (Int8Model: seeded crops, its float convolutions).
        var random = new Random(1);
        var tiles = Enumerable.Range(0, 8).Select(_ => Crop(random.Next(p.Height - side + 1), random.Next(p.Width - side + 1), side)).ToList();
        var int8 = Int8Model.Quantise(model, tiles, 3, side, side, threads: 0, CancellationToken.None).OnnxModel;
        var tile = Crop(0, 0, side);
        var folder = Directory.CreateTempSubdirectory("satsr-profile-").FullName;
        try
        {
            // fp32 as the CPU engine runs it (PReLUs as depthwise convolutions), and as the model has it.
            foreach (var (name, graph, graphLevel) in new[]
                     {
                         ("fp32", DepthwisePRelu.Rewrite(model.OnnxModel), GraphOptimizationLevel.ORT_ENABLE_ALL),
                         ("fp32 with PRelu", model.OnnxModel, GraphOptimizationLevel.ORT_ENABLE_ALL),
                         ("int8", int8, level),
                     })
            {
                // The prefix first: setting EnableProfiling starts the profile with the prefix it finds then.
                using var options = new SessionOptions { GraphOptimizationLevel = graphLevel, ProfileOutputPathPrefix = Path.Combine(folder, name), EnableProfiling = true };
                using var session = new InferenceSession(graph, options);
                using var value = OrtValue.CreateTensorValueFromMemory(tile, [1, 3, side, side]);
                using var run = new RunOptions();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (var r = 0; r < runs; r++)
                {
                    using var result = session.Run(run, [session.InputMetadata.Keys.Single()], [value], [session.OutputMetadata.Keys.First()]);
                }
                Console.WriteLine($"{name} ({graphLevel}): {clock.Elapsed.TotalSeconds / runs:F3} s per {side}² tile (mean of {runs} runs, the first included)");
                var perOp = new Dictionary<string, long>();
                var events = JsonDocument.Parse(File.ReadAllText(session.EndProfiling())).RootElement.EnumerateArray()
                    .Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal));
                foreach (var e in events)
                {
                    var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                    perOp[op] = perOp.GetValueOrDefault(op) + e.GetProperty("dur").GetInt64();
                }
                foreach (var (op, us) in perOp.OrderByDescending(kv => kv.Value))
                {
                    Console.WriteLine($"  {op,-20} {us / runs / 1000.0,8:F1} ms per tile");
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
