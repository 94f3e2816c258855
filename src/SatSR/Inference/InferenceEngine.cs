using Microsoft.ML.OnnxRuntime;
using SatSR.Models;
using SatSR.Models.Onnx;

namespace SatSR.Inference;

/// <summary>
/// One ONNX Runtime session (an int8 graph on the CPU: one per segment, <see cref="TileSession.Cut"/>) for one model
/// and one tile shape, created once per job and reused for every batch of
/// <see cref="Batch"/> tiles. The input and output tensors live in managed arrays pinned by their OrtValues for the
/// engine's lifetime, so a batch costs no allocation: write <see cref="Input"/>, call <see cref="Run"/>, read <see cref="Output"/>;
/// or, one tile at a time, bind the caller's own arrays for a call (<see cref="Run(float[], float[], CancellationToken)"/>).
/// Not thread-safe: one engine per worker.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly SessionOptions _options;
    private readonly TileSession _session;
    private readonly RunOptions _runOptions = new();
    // The engine's own batch buffers, made on first use: a pipeline running one tile at a time binds its own instead.
    private float[]? _input;
    private float[]? _output;
    private OrtValue? _inputValue;
    private OrtValue? _outputValue;

    private InferenceEngine(ModelDescriptor model, SessionOptions options, TileSession session, string device,
        int channels, int height, int width, int batch)
    {
        _options = options;
        _session = session;
        Device = device;
        Channels = channels;
        Height = height;
        Width = width;
        Batch = batch;
        // A first run tells the output shape (the graph may not declare it). A graph of free height and width is probed
        // with a small tile (64 px: a multiple of any power-of-two size rule), so a large tile's first run is not paid
        // before the job can even be cancelled; one that refuses it is probed at the tile's size.
        var dims = session.Inputs.Values.Single().Dimensions;
        var free = dims.Length == 4 && dims[0] <= 0 && dims[2] <= 0 && dims[3] <= 0;
        int probeHeight = free ? Math.Min(height, ProbeSide) : height, probeWidth = free ? Math.Min(width, ProbeSide) : width, probeBatch = free ? 1 : batch;
        long[] shape;
        try
        {
            shape = Probe(probeBatch, probeHeight, probeWidth);
        }
        catch (OnnxRuntimeException) when (free && (probeHeight, probeWidth) != (height, width))
        {
            (probeBatch, probeHeight, probeWidth) = (batch, height, width);
            shape = Probe(batch, height, width);
        }
        if (shape.Length != 4 || shape[0] != probeBatch || shape[2] % probeHeight != 0 || shape[2] / probeHeight != shape[3] / probeWidth || shape[3] % probeWidth != 0)
        {
            throw new InferenceException(
                $"model '{model.Name}': output shape [{string.Join(",", shape)}] is not the input [{probeBatch},{channels},{probeHeight},{probeWidth}] scaled by a whole factor");
        }
        Scale = (int)(shape[2] / probeHeight);
        OutputChannels = (int)shape[1];
        if (model.Scale is { } declared && declared != Scale)
        {
            throw new InferenceException($"model '{model.Name}': declares scale {declared} but produces ×{Scale}");
        }
    }

    private (float[] Input, OrtValue InputValue, float[] Output, OrtValue OutputValue) Buffers()
    {
        if (_input is null)
        {
            _input = new float[(long)Batch * Channels * Height * Width];
            _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [Batch, Channels, Height, Width]);
            _output = new float[(long)Batch * OutputChannels * Height * Scale * Width * Scale];
            _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [Batch, OutputChannels, Height * Scale, Width * Scale]);
        }
        return (_input, _inputValue!, _output!, _outputValue!);
    }

    /// <summary>Side of the tile a graph of free size is first run with, to learn its output shape.</summary>
    private const int ProbeSide = 64;

    private long[] Probe(int batch, int height, int width)
    {
        var input = new float[(long)batch * Channels * height * width];
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, Channels, height, width]);
        using var result = _session.Run(_runOptions, value, null)!;
        return result.GetTensorTypeAndShape().Shape;
    }

    public string Device { get; }
    public int Channels { get; }
    public int OutputChannels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Scale { get; }

    /// <summary>Tiles per <see cref="Run"/>.</summary>
    public int Batch { get; }

    /// <summary>The tiles to infer, one after another: <see cref="Channels"/> planes of <see cref="Height"/>×<see cref="Width"/> each, values 0..1.</summary>
    public Span<float> Input => Buffers().Input;

    /// <summary>The last results, tile after tile: <see cref="OutputChannels"/> planes of (Height·Scale)×(Width·Scale) each. Valid until the next <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Output => Buffers().Output;

    /// <summary>Values of one tile's input (<see cref="Input"/> holds <see cref="Batch"/> of them).</summary>
    public int InputLength => Channels * Height * Width;

    /// <summary>Values of one tile's result.</summary>
    public int OutputLength => OutputChannels * Height * Scale * Width * Scale;

    /// <summary>
    /// Creates a session for <paramref name="model"/> taking batches of <paramref name="batch"/> input tiles of exactly
    /// <paramref name="height"/>×<paramref name="width"/>.
    /// </summary>
    /// <param name="precision">fp16 converts the graph (TensorRT: builds fp16 engines from the float32 one); an int8 graph is made by the caller, who has the calibration tiles; here int8 only picks the optimisation level that suits it.</param>
    public static InferenceEngine Create(ModelDescriptor model, ExecutionDevice device, int height, int width, int threads = 0, int batch = 1,
        Precision precision = Precision.Fp32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        // An int8 graph stays in NCHW: at the highest level ONNX Runtime turns its integer convolutions to NHWC, which
        // makes them faster but puts transposes around the PReLU table lookups between them, costing as much as it saves;
        // a QDQ graph is fused into integer convolutions at the extended level already (docs/BENCHMARKS.md, "int8").
        var options = new SessionOptions
        {
            GraphOptimizationLevel = precision == Precision.Int8 ? GraphOptimizationLevel.ORT_ENABLE_EXTENDED : GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = Quiet,
        };
        try
        {
            if (threads > 0) options.IntraOpNumThreads = threads;
            var name = AddProvider(options, device, precision == Precision.Fp16);
            // PReLU leaves the CPU provider's blocked layout; its rewrite stays in it. Not for int8, whose PReLUs are table
            // lookups, nor for GPUs, which have no such layout.
            var graph = precision == Precision.Fp16 && name != "tensorrt" ? Fp16Graph.Convert(model.OnnxModel)
                : precision == Precision.Fp32 && name == "cpu" ? DepthwisePRelu.Rewrite(model.OnnxModel)
                : model.OnnxModel;
            // An int8 graph on the CPU runs cut at its table lookups, which are faster outside ONNX Runtime (CutGraph).
            TileSession session = precision == Precision.Int8 && name == "cpu" && CutGraph.Cut(graph) is { } cut
                ? new TileSession.Cut(cut, options, threads)
                : new TileSession.Whole(new InferenceSession(graph, options));
            if (session.Inputs.Count != 1)
            {
                session.Dispose();
                throw new InferenceException($"model '{model.Name}': expects {session.Inputs.Count} inputs, SatSR feeds one image");
            }
            var channels = ChannelsOf(session, model);
            try
            {
                return new InferenceEngine(model, options, session, name, channels, height, width, batch);
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
        var (_, input, _, output) = Buffers();
        Run(input, output, cancellationToken);
    }

    /// <summary>
    /// Runs one tile (an engine of <see cref="Batch"/> 1) from <paramref name="input"/> straight into
    /// <paramref name="output"/>, both bound for this call only: a pipeline's own buffers, so the tile is not copied
    /// into <see cref="Input"/> and its result out of <see cref="Output"/> (the result is 16 times the input at ×4).
    /// </summary>
    public void Run(float[] input, float[] output, CancellationToken cancellationToken = default)
    {
        if (Batch != 1) throw new InvalidOperationException($"binding one tile's buffers needs an engine of batch 1, not {Batch}");
        ArgumentOutOfRangeException.ThrowIfNotEqual(input.Length, InputLength, nameof(input));
        ArgumentOutOfRangeException.ThrowIfNotEqual(output.Length, OutputLength, nameof(output));
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, Channels, Height, Width]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [1, OutputChannels, Height * Scale, Width * Scale]);
        Run(inputValue, outputValue, cancellationToken);
    }

    private void Run(OrtValue input, OrtValue output, CancellationToken cancellationToken)
    {
        using var _ = cancellationToken.Register(() => _runOptions.Terminate = true);
        try
        {
            _session.Run(_runOptions, input, output);
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
        _inputValue?.Dispose();
        _outputValue?.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
        _options.Dispose();
    }

    /// <summary>
    /// ONNX Runtime's own log level for SatSR's sessions: errors only. Its warnings (an unused initializer, a node it
    /// places on the CPU) went to the process's stderr; the library does not write to the console, and a failure
    /// reaches the caller as an exception anyway.
    /// </summary>
    internal const OrtLoggingLevel Quiet = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;

    /// <summary>The providers this ONNX Runtime build was compiled with (the CPU NuGet package has only the CPU one).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>
    /// The device <paramref name="device"/> runs on in this build: <see cref="ExecutionDevice.Auto"/> becomes CUDA when
    /// the build has it and the machine its libraries, else the CPU; a device the build lacks is refused in one line
    /// (one it has but the machine cannot run is refused when the session is made, naming the missing library).
    /// </summary>
    public static ExecutionDevice Resolve(ExecutionDevice device)
    {
        var providers = AvailableProviders;
        return device switch
        {
            ExecutionDevice.Cpu => device,
            ExecutionDevice.Auto => providers.Contains("CUDAExecutionProvider") && GpuProviders.CudaLoads() ? ExecutionDevice.Cuda : ExecutionDevice.Cpu,
            ExecutionDevice.Cuda when providers.Contains("CUDAExecutionProvider") => device,
            ExecutionDevice.TensorRt when providers.Contains("TensorrtExecutionProvider") => device,
            _ => throw Unavailable(device, providers),
        };
    }

    // One interpolated string: joined with + it would be a plain string, and the option in it spelt once and for all.
    private static InferenceException Unavailable(ExecutionDevice device, IReadOnlyList<string> providers) => new(
        $"{OptionName.Device} {device.ToString().ToLowerInvariant()} is not available: this ONNX Runtime build has only {string.Join(", ", providers)} (GPU inference needs SatSR's GPU build, SATSR_GPU=1 ./satsr …, with CUDA 13 and cuDNN 9)");

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
                throw new InferenceException($"{OptionName.Device} {device.ToString().ToLowerInvariant()} is not available: {problem}; GPU inference needs an NVIDIA driver, CUDA 13 and cuDNN 9 (TensorRT 10 for tensorrt)");
            default:
                throw Unavailable(device, providers);
        }
    }

    private static int ChannelsOf(TileSession session, ModelDescriptor model)
    {
        var dims = session.Inputs.Values.Single().Dimensions;
        if (dims.Length != 4) throw new InferenceException($"model '{model.Name}': input has rank {dims.Length}, expected NCHW");
        return dims[1] > 0 ? dims[1] : model.InputChannels;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
