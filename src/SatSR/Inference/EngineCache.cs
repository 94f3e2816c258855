using SatSR.Models;

namespace SatSR.Inference;

/// <summary>
/// Keeps the engine of one job for the next job that asks for the same one, so a run over many scenes makes its
/// ONNX Runtime session once: same model, device, tile shape, threads, batch and precision. A job that asks for
/// another (scenes whose tile plans differ in shape) replaces it, so at most one engine is held. An engine holds no
/// state between runs, so which job made it does not change a pixel.
/// </summary>
public sealed class EngineCache : IDisposable
{
    private (ModelDescriptor Model, ExecutionDevice Device, int Height, int Width, int Threads, int Batch, Precision Precision)? _key;
    private InferenceEngine? _engine;

    /// <summary>Engines made so far (the first job's, and one per change of shape).</summary>
    public int Created { get; private set; }

    /// <summary>The kept engine when it is the one asked for, else a new one (see <see cref="InferenceEngine.Create"/>), kept in its place. The cache owns it.</summary>
    public InferenceEngine Get(ModelDescriptor model, ExecutionDevice device, int height, int width, int threads, int batch, Precision precision)
    {
        var key = (model, device, height, width, threads, batch, precision);
        if (_engine is not null && _key == key) return _engine;
        Drop();
        _engine = InferenceEngine.Create(model, device, height, width, threads, batch, precision);
        _key = key;
        Created++;
        return _engine;
    }

    /// <summary>Disposes the kept engine now (its memory is needed), so the next <see cref="Get"/> makes a new one.</summary>
    public void Drop()
    {
        _engine?.Dispose();
        (_engine, _key) = (null, null);
    }

    public void Dispose() => Drop();
}
