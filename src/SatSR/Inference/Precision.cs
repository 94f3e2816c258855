namespace SatSR.Inference;

/// <summary>The number format the network runs in; the graph's input and output stay float32 in every case.</summary>
public enum Precision
{
    /// <summary>The graph as loaded.</summary>
    Fp32,

    /// <summary>fp16 weights and activations, cast from and to float32 at the graph's edges (for GPUs; TensorRT builds its own fp16 engine).</summary>
    Fp16,

    /// <summary>
    /// int8 convolutions (QDQ: per-channel symmetric weights, per-tensor activation ranges calibrated on a fixed
    /// sample of the job's own tiles), for CPUs' integer dot products.
    /// </summary>
    Int8,
}
