using Microsoft.ML.OnnxRuntime;
using SatSR.Models;
using SatSR.Models.Onnx;

namespace SatSR.Inference;

/// <summary>
/// One ONNX Runtime session for one model and one tile shape, created once per job and reused for every tile.
/// The input and output tensors live in managed arrays pinned by their OrtValues for the engine's lifetime, so a
/// tile costs no allocation: write <see cref="Input"/>, call <see cref="Run"/>, read <see cref="Output"/>.
/// Not thread-safe: one engine per worker.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private InferenceEngine(ModelDescriptor model, SessionOptions options, InferenceSession session, string device,
        int channels, int height, int width)
    {
        _options = options;
        _session = session;
        Device = device;
        Channels = channels;
        Height = height;
        Width = width;
        _inputNames = [session.InputMetadata.Keys.Single()];
        _outputNames = [session.OutputMetadata.Keys.First()];
        _input = new float[channels * height * width];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, channels, height, width]);

        // The first run warms the session up and tells the output shape (the graph may not declare it).
        using (var probe = _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames))
        {
            var shape = probe[0].GetTensorTypeAndShape().Shape;
            if (shape.Length != 4 || shape[2] % height != 0 || shape[2] / height != shape[3] / width || shape[3] % width != 0)
            {
                throw new InferenceException(
                    $"model '{model.Name}': output shape [{string.Join(",", shape)}] is not the input [1,{channels},{height},{width}] scaled by a whole factor");
            }
            Scale = (int)(shape[2] / height);
            OutputChannels = (int)shape[1];
        }
        if (model.Scale is { } declared && declared != Scale)
        {
            throw new InferenceException($"model '{model.Name}': declares scale {declared} but produces ×{Scale}");
        }
        _output = new float[OutputChannels * height * Scale * width * Scale];
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [1, OutputChannels, height * Scale, width * Scale]);
    }

    public string Device { get; }
    public int Channels { get; }
    public int OutputChannels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Scale { get; }

    /// <summary>The tile to infer: <see cref="Channels"/> planes of <see cref="Height"/>×<see cref="Width"/>, values 0..1.</summary>
    public Span<float> Input => _input;

    /// <summary>The last result: <see cref="OutputChannels"/> planes of (Height·Scale)×(Width·Scale). Valid until the next <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Output => _output;

    /// <summary>Creates a session for <paramref name="model"/> taking input tiles of exactly <paramref name="height"/>×<paramref name="width"/>.</summary>
    /// <param name="precision">fp16 converts the graph (TensorRT: builds fp16 engines from the float32 one); an int8 graph is made by the caller, who has the calibration tiles.</param>
    public static InferenceEngine Create(ModelDescriptor model, ExecutionDevice device, int height, int width, int threads = 0, Precision precision = Precision.Fp32)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            if (threads > 0) options.IntraOpNumThreads = threads;
            var name = AddProvider(options, device, precision == Precision.Fp16);
            var graph = precision == Precision.Fp16 && name != "tensorrt" ? Fp16Graph.Convert(model.OnnxModel) : model.OnnxModel;
            var session = new InferenceSession(graph, options);
            if (session.InputMetadata.Count != 1)
            {
                session.Dispose();
                throw new InferenceException($"model '{model.Name}': expects {session.InputMetadata.Count} inputs, SatSR feeds one image");
            }
            var channels = ChannelsOf(session, model);
            try
            {
                return new InferenceEngine(model, options, session, name, channels, height, width);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            throw new InferenceException($"model '{model.Name}': ONNX Runtime rejected it ({FirstLine(e.Message)})", e);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    public void Run(CancellationToken cancellationToken = default)
    {
        using var _ = cancellationToken.Register(() => _runOptions.Terminate = true);
        try
        {
            _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames, [_outputValue]);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"inference failed: {FirstLine(e.Message)}", e);
        }
    }

    public void Dispose()
    {
        _inputValue.Dispose();
        _outputValue?.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
        _options.Dispose();
    }

    /// <summary>The providers this ONNX Runtime build was compiled with (the CPU NuGet package has only the CPU one).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    private static string AddProvider(SessionOptions options, ExecutionDevice device, bool fp16)
    {
        var providers = AvailableProviders;
        bool Has(string p) => providers.Contains(p);
        var problem = "";
        switch (device)
        {
            case ExecutionDevice.Cpu:
                return "cpu";
            case ExecutionDevice.Auto when Has("CUDAExecutionProvider") && GpuProviders.TryAddCuda(options, out _):
            case ExecutionDevice.Cuda when Has("CUDAExecutionProvider") && GpuProviders.TryAddCuda(options, out problem):
                return "cuda";
            case ExecutionDevice.TensorRt when Has("TensorrtExecutionProvider") && GpuProviders.TryAddTensorRt(options, fp16, out problem):
                return "tensorrt";
            case ExecutionDevice.Auto:
                return "cpu";
            case ExecutionDevice.Cuda when Has("CUDAExecutionProvider"):
            case ExecutionDevice.TensorRt when Has("TensorrtExecutionProvider"):
                throw new InferenceException($"--device {device.ToString().ToLowerInvariant()} is not available: {problem}; GPU inference needs an NVIDIA driver, CUDA 13 and cuDNN 9 (TensorRT 10 for tensorrt)");
            default:
                throw new InferenceException(
                    $"--device {device.ToString().ToLowerInvariant()} is not available: this ONNX Runtime build has only {string.Join(", ", providers)} " +
                    "(GPU inference needs SatSR's GPU build, SATSR_GPU=1 ./satsr …, with CUDA 13 and cuDNN 9)");
        }
    }

    private static int ChannelsOf(InferenceSession session, ModelDescriptor model)
    {
        var dims = session.InputMetadata.Values.Single().Dimensions;
        if (dims.Length != 4) throw new InferenceException($"model '{model.Name}': input has rank {dims.Length}, expected NCHW");
        return dims[1] > 0 ? dims[1] : model.InputChannels;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
