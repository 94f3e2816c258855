using SatSR.Inference;
using SatSR.Models;
using SatSR.Models.Onnx;

namespace SatSR.Pipeline;

/// <summary>
/// The int8 graph of a job: activation ranges calibrated on a fixed, seeded sample of the job's own prepared input
/// tiles (the same normalisation and nodata fill as inference), so the same job always gets the same graph.
/// </summary>
internal static class Int8Model
{
    /// <summary>The seed of the crop inside each sample tile.</summary>
    public const int Seed = SceneSample.Seed;

    /// <summary>Side of the square calibrated from each tile: the ranges do not need whole tiles, and deep networks are slow.</summary>
    public const int CropSide = 96;

    /// <summary>How ranges are taken and which convolutions stay float; settable for `bench precision`'s trade-off sweep only.</summary>
    internal static Int8Tuning Tuning { get; set; } = new(CalibrationMethod.MinMax, KeepFirst: 1, KeepLast: 1);

    /// <summary>
    /// The quantised model. <paramref name="prepared"/> are tensors of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.
    /// The first and last convolutions stay float by default (see docs/BENCHMARKS.md, "int8").
    /// </summary>
    public static ModelDescriptor Quantise(ModelDescriptor model, IEnumerable<float[]> prepared, int channels, int height, int width, int threads, CancellationToken ct)
    {
        var side = Math.Min(CropSide, Math.Min(height, width));
        var random = new Random(Seed);
        var crops = prepared.Select(tile => Crop(tile, channels, height, width, side, random.Next(height - side + 1), random.Next(width - side + 1))).ToList();
        if (crops.Count == 0) return model; // no valid pixel: no tile will be inferred
        var ranges = Calibration.Measure(model.OnnxModel, QdqGraph.CalibrationTensors(model.OnnxModel), crops, channels, side, Tuning.Method, threads, ct);
        var convolutions = QdqGraph.Convolutions(model.OnnxModel).Count;
        var keep = Enumerable.Range(0, convolutions).Where(i => i < Tuning.KeepFirst || i >= convolutions - Tuning.KeepLast).ToHashSet();
        return model with { OnnxModel = QdqGraph.Quantize(model.OnnxModel, ranges, keep) };
    }

    private static float[] Crop(float[] tile, int channels, int height, int width, int side, int top, int left)
    {
        var crop = new float[channels * side * side];
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < side; y++)
            {
                tile.AsSpan(c * height * width + (top + y) * width + left, side).CopyTo(crop.AsSpan((c * side + y) * side, side));
            }
        }
        return crop;
    }
}

/// <summary>Calibration method, and how many convolutions at the start and at the end of the graph stay float.</summary>
internal sealed record Int8Tuning(CalibrationMethod Method, int KeepFirst, int KeepLast);
