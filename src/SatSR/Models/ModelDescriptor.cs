using SatSR.Geometry;

namespace SatSR.Models;

/// <summary>
/// A super-resolution network ready to run: its ONNX graph (NCHW float32 in 0..1, input named by the graph) and
/// what the pipeline must know about it. <see cref="Scale"/> is null when the file does not say (a plain .onnx);
/// the inference engine then measures it. <see cref="Footprint"/> comes from the architecture (a graph's own receptive field
/// when the architecture is not known).
/// </summary>
public sealed record ModelDescriptor(
    string Name,
    string ArchitectureId,
    int? Scale,
    int InputChannels,
    int OutputChannels,
    SizeRequirements SizeRequirements,
    byte[] OnnxModel,
    long ParameterCount,
    string Source,
    NetworkFootprint Footprint)
{
    /// <summary>What the architecture was built with (num_feat, num_block, …), read off the weights' shapes; empty when the file does not tell.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether a run corrects this model's output for consistency (area-averaging it gives back the input) unless told
    /// otherwise: true for SatSR's own zoo model, where it was chosen on validation data; false for every other model.
    /// </summary>
    public bool Consistency { get; init; }

    /// <summary>
    /// Whether a run measures this model's weight against bicubic on the scene unless told otherwise
    /// (<c>--model-weight auto</c>): true for SatSR's own zoo models, where it was chosen on validation data; every
    /// other model runs at weight 1.
    /// </summary>
    public bool MeasuredWeight { get; init; }
}
