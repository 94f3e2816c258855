using System.Runtime.CompilerServices;

namespace SatSR.Inference;

/// <summary>Where the network runs. <see cref="Auto"/> takes CUDA when this ONNX Runtime build has it, else the CPU.</summary>
public enum ExecutionDevice
{
    Auto,
    Cpu,
    Cuda,
    TensorRt,
}

/// <summary>Inference failed or cannot be set up (device missing, model rejected by the runtime, NaN output).</summary>
public sealed class InferenceException : SatSRException
{
    public InferenceException(string message, Exception? inner = null) : base(message, inner) { }

    // As SatSRException's: an interpolated message keeps its options.
    [OverloadResolutionPriority(1)]
    public InferenceException(FormattableString message, Exception? inner = null) : base(message, inner) { }
}
