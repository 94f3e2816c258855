using Microsoft.ML.OnnxRuntime;
using SatSR.Models.Onnx;

namespace SatSR.Inference;

/// <summary>How an activation's quantisation range is taken from the values calibration saw.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value: nothing is clipped, rare outliers widen every step.</summary>
    MinMax,

    /// <summary>The 0.01 and 99.99 percentiles of an even sample of the values: the rare extremes are clipped.</summary>
    Percentile,
}

/// <summary>
/// Measures activation ranges for int8 quantisation by running the float32 graph on calibration tiles, on the CPU. The
/// ranges do not depend on the thread count: ONNX Runtime's CPU kernels split work by output, not by sum, and a
/// minimum or a percentile does not depend on the order seen.
/// </summary>
public static class Calibration
{
    /// <summary>
    /// Exposed tensors per session, for percentiles. Each session runs the whole network again, so fewer are faster
    /// (RealESRGAN_x4plus's 701 in three sessions instead of six: its int8 run of a 384² crop 46.5 → 31.9 s,
    /// docs/BENCHMARKS.md "int8"), but a session holds all its tensors at once (x4plus's 701 at 96², by their channel
    /// counts, about 2 GB). realesr-general-x4v3's 68 take one session.
    /// </summary>
    private const int TensorsPerRun = 256;

    /// <summary>Values kept per tensor and tile for the percentiles, evenly strided.</summary>
    private const int SamplesPerTile = 4096;

    private const double Tail = 1e-4;

    /// <param name="tiles">CHW float32 tensors of <paramref name="channels"/>×<paramref name="side"/>×<paramref name="side"/>.</param>
    /// <param name="threads">ONNX Runtime's threads; 0 for its default (every core).</param>
    public static IReadOnlyDictionary<string, ActivationRange> Measure(byte[] model, IReadOnlyList<string> tensors,
        IReadOnlyList<float[]> tiles, int channels, int side, CalibrationMethod method, int threads = 0, CancellationToken ct = default) =>
        method == CalibrationMethod.MinMax
            ? MinMax(model, tensors, tiles, channels, side, threads, ct)
            : Percentiles(model, tensors, tiles, channels, side, threads, ct);

    /// <summary>
    /// One run per tile of the graph reduced to each tensor's smallest and largest value (<see cref="QdqGraph.WithRanges"/>):
    /// every tensor in one session, none held past its last reader.
    /// </summary>
    private static Dictionary<string, ActivationRange> MinMax(byte[] model, IReadOnlyList<string> tensors, IReadOnlyList<float[]> tiles,
        int channels, int side, int threads, CancellationToken ct)
    {
        using var options = Options(threads);
        using var session = new InferenceSession(QdqGraph.WithRanges(model, tensors), options);
        using var run = new RunOptions();
        var input = session.InputMetadata.Keys.Single();
        var ranges = tensors.ToDictionary(t => t, _ => new ActivationRange(float.PositiveInfinity, float.NegativeInfinity));
        foreach (var tile in tiles)
        {
            ct.ThrowIfCancellationRequested();
            using var value = OrtValue.CreateTensorValueFromMemory(tile, [1, channels, side, side]);
            using var results = session.Run(run, [input], [value], [QdqGraph.Ranges]);
            var found = results[0].GetTensorDataAsSpan<float>();
            for (var k = 0; k < tensors.Count; k++)
            {
                ActivationRange seen = ranges[tensors[k]], here = QdqGraph.ReadRanges(tensors, found, k);
                ranges[tensors[k]] = new ActivationRange(Math.Min(seen.Min, here.Min), Math.Max(seen.Max, here.Max));
            }
        }
        return ranges;
    }

    /// <summary>The tensors exposed as outputs, in groups of <see cref="TensorsPerRun"/>, an even sample of each kept.</summary>
    private static Dictionary<string, ActivationRange> Percentiles(byte[] model, IReadOnlyList<string> tensors, IReadOnlyList<float[]> tiles,
        int channels, int side, int threads, CancellationToken ct)
    {
        var ranges = new Dictionary<string, ActivationRange>();
        foreach (var group in tensors.Chunk(TensorsPerRun))
        {
            using var options = Options(threads);
            using var session = new InferenceSession(QdqGraph.WithOutputs(model, group), options);
            using var run = new RunOptions();
            var input = session.InputMetadata.Keys.Single();
            var samples = group.ToDictionary(t => t, _ => new List<float>());
            foreach (var tile in tiles)
            {
                ct.ThrowIfCancellationRequested();
                using var value = OrtValue.CreateTensorValueFromMemory(tile, [1, channels, side, side]);
                using var results = session.Run(run, [input], [value], group);
                for (var k = 0; k < group.Length; k++)
                {
                    var data = results[k].GetTensorDataAsSpan<float>();
                    var stride = Math.Max(1, data.Length / SamplesPerTile);
                    for (var i = 0; i < data.Length; i += stride) samples[group[k]].Add(data[i]);
                }
            }
            foreach (var (name, values) in samples)
            {
                values.Sort();
                var last = values.Count - 1;
                ranges[name] = new ActivationRange(values[(int)Math.Floor(Tail * last)], values[(int)Math.Ceiling((1 - Tail) * last)]);
            }
        }
        return ranges;
    }

    private static SessionOptions Options(int threads) =>
        new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, LogSeverityLevel = InferenceEngine.Quiet };
}
