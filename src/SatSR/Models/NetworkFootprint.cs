using SatSR.Models.Onnx;

namespace SatSR.Models;

/// <summary>
/// What the pipeline plans around for a network, set by its architecture: <see cref="Overlap"/>, the tile overlap (input
/// pixels on each side) that covers its effective receptive field, and <see cref="ActivationBytesPerPixel"/>, the memory
/// ONNX Runtime's CPU session takes per pixel of an input tile.
/// </summary>
public sealed record NetworkFootprint(int Overlap, long ActivationBytesPerPixel)
{
    /// <summary>
    /// SRVGGNetCompact (realesr-general-x4v3 and SatSR's own models): 24 px, the distance beyond which flipping one input
    /// pixel changes no output value by 0.01 (of 255) or more (`bench reach`); 1,689 B measured with `bench activation` as
    /// the growth of peak RSS between 512² and 768² tiles (docs/benchmarks/tiles.md), rounded up.
    /// </summary>
    public static NetworkFootprint Compact { get; } = new(24, 1_700);

    /// <summary>RRDBNet (RealESRGAN_x4plus): 81 px of reach by the same measure (80 taken), 21,531 B between 384² and 512² tiles.</summary>
    public static NetworkFootprint Deep { get; } = new(80, 21_600);

    /// <summary>
    /// A graph of unknown architecture (ncnn, .onnx): its exact receptive field read off its operators when that is smaller
    /// than the deep network's overlap (a pixel-repeat graph needs none, a shallow network its kernels' extent), else the
    /// deep network's; the deep network's memory. Too much overlap costs time, too little shows seams.
    /// </summary>
    public static NetworkFootprint OfGraph(byte[] onnxModel) =>
        Deep with { Overlap = GraphReach.Of(onnxModel) is { } reach ? (int)Math.Min(Deep.Overlap, Math.Ceiling(reach)) : Deep.Overlap };
}
