using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Raster;

namespace SatSR.Bench;

/// <summary>
/// One int8 tile two ways, alternating: ONNX Runtime running the whole quantised graph (lookups as GatherElements, as
/// before the cut), and the CPU engine running it cut at its lookups. Medians of the runs after the first, the peak RSS
/// of each way in a process of its own (--only whole|cut), and whether the outputs are the same.
/// </summary>
internal static class Int8Cut
{
    public static int Run(string[] args)
    {
        var model = Bench.Model(Bench.Arg(args, "--model", "realesr-general-x4v3"));
        var side = int.Parse(Bench.Arg(args, "--side", "512"));
        var runs = int.Parse(Bench.Arg(args, "--runs", "5"));
        var only = Bench.Arg(args, "--only", "both");
        using var ds = RasterDataset.Open(args[0]);
        var p = ds.Profile;
        if (side > Math.Min(p.Width, p.Height)) throw new ArgumentException($"{args[0]}: --side {side} is larger than the image ({p.Width}×{p.Height})");
        var band = new double[side * side];
        ds.Read<double>(new Window(0, 0, side, side), [1], band);
        double lo = band.Min(), span = Math.Max(band.Max() - lo, 1);
        var tile = new float[3 * side * side];
        for (var i = 0; i < tile.Length; i++) tile[i] = (float)((band[i % band.Length] - lo) / span);
        var quantised = Int8Model.Quantise(model, [tile], 3, side, side, threads: 0, CancellationToken.None);

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var whole = only == "cut" ? null : new InferenceSession(quantised.OnnxModel, options);
        using var cut = only == "whole" ? null : InferenceEngine.Create(quantised, ExecutionDevice.Cpu, side, side, threads: 0, batch: 1, Precision.Int8);
        using var input = OrtValue.CreateTensorValueFromMemory(tile, [1, 3, side, side]);
        using var run = new RunOptions();
        float[] a = [], b = [];
        var (wholeTimes, cutTimes) = (new List<double>(), new List<double>());
        for (var r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            if (whole is not null)
            {
                using var result = whole.Run(run, [whole.InputMetadata.Keys.Single()], [input], [whole.OutputMetadata.Keys.First()]);
                a = result[0].GetTensorDataAsSpan<float>().ToArray();
                if (r > 0) wholeTimes.Add(clock.Elapsed.TotalSeconds);
            }
            clock.Restart();
            if (cut is not null)
            {
                tile.CopyTo(cut.Input);
                cut.Run();
                b = cut.Output.ToArray();
                if (r > 0) cutTimes.Add(clock.Elapsed.TotalSeconds);
            }
        }
        static string Median(List<double> t) => t.Count == 0 ? "-" : $"{t.Order().ElementAt(t.Count / 2):F3} s";
        Console.WriteLine($"{side}² int8 tile, {runs - 1} runs after the first: whole graph {Median(wholeTimes)}, cut at its lookups {Median(cutTimes)}");
        if (a.Length > 0 && b.Length > 0) Console.WriteLine($"outputs {(a.AsSpan().SequenceEqual(b) ? "the same" : "DIFFER")}");
        Console.WriteLine($"peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB");
        return 0;
    }
}
