using SatSR.Geometry;
using SatSR.Models.Onnx;

namespace SatSR.Models.Ncnn;

/// <summary>
/// Translates an ncnn layer graph into an ONNX graph layer by layer, without guessing what network it is.
/// Alongside each blob it tracks the channel count and how its size relates to the input's
/// (<c>size = input × Up / Down</c>), which gives the weight shapes, the scale and the size requirements.
/// Layer semantics follow ncnn's src/layer/*.cpp; param keys are listed at each layer.
/// </summary>
internal sealed class NcnnGraph
{
    private const int MaxChannels = 1 << 16;
    private const int MaxFactor = 64;   // kernel, stride, dilation, pad, upscale factor

    private readonly OnnxGraphBuilder _onnx = new();
    private readonly Dictionary<string, Blob> _blobs = new(StringComparer.Ordinal);
    private readonly Queue<float[]> _weights;
    private readonly string _outputBlob;
    private readonly int _inputChannels;

    private NcnnGraph(IReadOnlyList<NcnnLayer> layers, float[][] weights)
    {
        _weights = new Queue<float[]>(weights);
        _outputBlob = OutputBlob(layers);
        _inputChannels = InputChannels(layers);
    }

    /// <summary>The arrays the layers load from the .bin, in load order (what <see cref="NcnnWeights"/> reads).</summary>
    public static List<NcnnWeightSpec> WeightSpecs(IReadOnlyList<NcnnLayer> layers)
    {
        var specs = new List<NcnnWeightSpec>();
        foreach (var layer in layers)
        {
            switch (layer.Type)
            {
                case "Convolution":
                    specs.Add(new(layer.Name, "weights", Count(layer, 6), Tagged: true));
                    if (layer.Int(5, 0) != 0) specs.Add(new(layer.Name, "bias", Count(layer, 0), Tagged: false));
                    break;
                case "PReLU":
                    specs.Add(new(layer.Name, "slopes", Count(layer, 0), Tagged: false));
                    break;
            }
        }

        return specs;
    }

    /// <param name="weights">the arrays for <see cref="WeightSpecs"/>, in that order</param>
    public static NcnnNetwork Translate(IReadOnlyList<NcnnLayer> layers, float[][] weights)
    {
        var graph = new NcnnGraph(layers, weights);
        foreach (var layer in layers) graph.Add(layer);
        var output = graph._blobs[graph._outputBlob];
        graph._onnx.Output("output", output.Channels);
        if (output.Up % output.Down != 0)
            throw new ModelException($"{layers[0].File}: the output is {output.Up}/{output.Down} times the input size, not a whole scale");
        var multiple = graph._blobs.Values.Max(b => b.Down);
        return new NcnnNetwork(graph._onnx.ToBytes(), graph._inputChannels, output.Channels, output.Up / output.Down,
            new SizeRequirements(multiple, multiple), weights.Sum(w => (long)w.Length));
    }

    private void Add(NcnnLayer layer)
    {
        switch (layer.Type)
        {
            case "Input": Input(layer); break;
            case "Split": Split(layer); break;
            case "Convolution": Convolution(layer); break;
            case "ReLU": Relu(layer); break;
            case "PReLU": PRelu(layer); break;
            case "Eltwise": Eltwise(layer); break;
            case "BinaryOp": BinaryOp(layer); break;
            case "Concat": Concat(layer); break;
            case "Interp": Interp(layer); break;
            case "PixelShuffle": PixelShuffle(layer); break;
            default:
                throw layer.Error("this layer type is not supported (supported: Input, Split, Convolution, ReLU, PReLU, " +
                    "Eltwise, BinaryOp, Concat, Interp, PixelShuffle)");
        }
    }

    private void Input(NcnnLayer layer)
    {
        Expect(layer, 0, 1);
        _blobs[layer.Outputs[0]] = new Blob(_onnx.Input("input", _inputChannels), _inputChannels, 1, 1);
    }

    // Split only hands one blob to several consumers; ONNX tensors can be read any number of times.
    private void Split(NcnnLayer layer)
    {
        var blob = In(layer, 0);
        foreach (var output in layer.Outputs) _blobs[output] = blob;
    }

    // 0=num_output 1=kernel_w 11=kernel_h 2/12=dilation 3/13=stride 4/14/15/16=pad left/top/right/bottom
    // 5=bias_term 6=weight_data_size 9=activation_type 10=activation_params; 8=int8 and 19=dynamic weights refused.
    private void Convolution(NcnnLayer layer)
    {
        Expect(layer, 1, 1);
        var input = In(layer, 0);
        var outChannels = Bounded(layer, "num_output", layer.Int(0, 0), MaxChannels);
        var kernelW = Bounded(layer, "kernel_w", layer.Int(1, 0), MaxFactor);
        var kernelH = Bounded(layer, "kernel_h", layer.Int(11, kernelW), MaxFactor);
        var dilationW = Bounded(layer, "dilation_w", layer.Int(2, 1), MaxFactor);
        var dilationH = Bounded(layer, "dilation_h", layer.Int(12, dilationW), MaxFactor);
        var strideW = Bounded(layer, "stride_w", layer.Int(3, 1), MaxFactor);
        var strideH = Bounded(layer, "stride_h", layer.Int(13, strideW), MaxFactor);
        var padLeft = Pad(layer, "pad_left", layer.Int(4, 0));
        var padTop = Pad(layer, "pad_top", layer.Int(14, padLeft));
        var padRight = Pad(layer, "pad_right", layer.Int(15, padLeft));
        var padBottom = Pad(layer, "pad_bottom", layer.Int(16, padTop));
        if (layer.Int(8, 0) != 0 || layer.Int(19, 0) != 0) throw layer.Error("int8 or dynamic weights are not supported");
        if (strideW != strideH) throw layer.Error($"stride {strideW}×{strideH} is not square");
        if (layer.Float(18, 0) != 0) throw layer.Error("a non-zero pad_value is not supported");

        var weights = _weights.Dequeue();
        var inChannels = input.Channels;
        if (weights.Length != (long)outChannels * inChannels * kernelH * kernelW)
            throw layer.Error($"weight_data_size {weights.Length} is not {outChannels}×{inChannels}×{kernelH}×{kernelW}");
        var w = _onnx.Initializer(layer.Name + ".weight", weights, outChannels, inChannels, kernelH, kernelW);
        var bias = layer.Int(5, 0) != 0 ? _onnx.Initializer(layer.Name + ".bias", _weights.Dequeue(), outChannels) : null;

        var conv = _onnx.Conv(input.Tensor, w, bias, [kernelH, kernelW], [strideH, strideW], [padTop, padLeft, padBottom, padRight],
            [dilationH, dilationW], layer.Int(9, 0) == 0 ? Tensor(layer, 0) : $"{layer.Name}.conv");
        var activated = Activation(layer, conv);
        // Size after a stride s with the usual "same" padding: input/s; Down records that the input must divide by s.
        _blobs[layer.Outputs[0]] = input with { Tensor = activated, Channels = outChannels, Down = input.Down * strideH };
    }

    // 9=activation_type: 0 none, 1 relu, 2 leaky relu (10=[slope]); clip, sigmoid, mish… are not used by SR nets.
    private string Activation(NcnnLayer layer, string x) => layer.Int(9, 0) switch
    {
        0 => x,
        1 => _onnx.Relu(x, Tensor(layer, 0)),
        2 => _onnx.LeakyRelu(x, layer.Floats(10) is [var slope] ? slope : throw layer.Error("leaky relu needs 10=[slope]"), Tensor(layer, 0)),
        var type => throw layer.Error($"activation_type {type} is not supported (only 0 none, 1 relu, 2 leaky relu)"),
    };

    // 0=slope: 0 → ReLU, else leaky.
    private void Relu(NcnnLayer layer)
    {
        Expect(layer, 1, 1);
        var input = In(layer, 0);
        var slope = layer.Float(0, 0);
        var output = slope == 0 ? _onnx.Relu(input.Tensor, Tensor(layer, 0)) : _onnx.LeakyRelu(input.Tensor, slope, Tensor(layer, 0));
        _blobs[layer.Outputs[0]] = input with { Tensor = output };
    }

    // 0=num_slope (1 = shared by all channels); slopes are in the .bin.
    private void PRelu(NcnnLayer layer)
    {
        Expect(layer, 1, 1);
        var input = In(layer, 0);
        var slopes = _weights.Dequeue();
        if (slopes.Length != 1 && slopes.Length != input.Channels)
            throw layer.Error($"{slopes.Length} slopes for {input.Channels} channels");
        var slope = _onnx.Initializer(layer.Name + ".slope", slopes, slopes.Length, 1, 1);
        _blobs[layer.Outputs[0]] = input with { Tensor = _onnx.PRelu(input.Tensor, slope, Tensor(layer, 0)) };
    }

    // 0=op_type: 0 prod, 1 sum (1=coeffs: Σ coeff·input), 2 max.
    private void Eltwise(NcnnLayer layer)
    {
        var inputs = SameShapeInputs(layer);
        var op = layer.Int(0, 0);
        var coeffs = layer.Floats(1);
        if (op is not (0 or 1)) throw layer.Error($"op_type {op} is not supported (only 0 prod, 1 sum)");
        if (coeffs.Length != 0 && (op != 1 || coeffs.Length != inputs.Length))
            throw layer.Error($"{coeffs.Length} coeffs for {inputs.Length} inputs");

        var terms = inputs.Select((blob, i) => coeffs.Length == 0 || coeffs[i] == 1
            ? blob.Tensor
            : _onnx.Mul(blob.Tensor, Scalar(layer, $"coeff{i}", coeffs[i]), $"{layer.Name}.term{i}")).ToArray();
        var result = terms[0];
        for (var i = 1; i < terms.Length; i++)
        {
            var name = i == terms.Length - 1 ? Tensor(layer, 0) : $"{layer.Name}.partial{i}";
            result = op == 1 ? _onnx.Add(result, terms[i], name) : _onnx.Mul(result, terms[i], name);
        }

        _blobs[layer.Outputs[0]] = inputs[0] with { Tensor = result };
    }

    // 0=op_type (0 add, 1 sub, 2 mul, 3 div), 1=with_scalar, 2=b (the scalar).
    private void BinaryOp(NcnnLayer layer)
    {
        var withScalar = layer.Int(1, 0) != 0;
        Expect(layer, withScalar ? 1 : 2, 1);
        var inputs = withScalar ? [In(layer, 0)] : SameShapeInputs(layer);
        var a = inputs[0].Tensor;
        var b = withScalar ? Scalar(layer, "b", layer.Float(2, 0)) : inputs[1].Tensor;
        var output = Tensor(layer, 0);
        var result = layer.Int(0, 0) switch
        {
            0 => _onnx.Add(a, b, output),
            1 => _onnx.Sub(a, b, output),
            2 => _onnx.Mul(a, b, output),
            3 => _onnx.Div(a, b, output),
            var op => throw layer.Error($"op_type {op} is not supported (only 0 add, 1 sub, 2 mul, 3 div)"),
        };
        _blobs[layer.Outputs[0]] = inputs[0] with { Tensor = result };
    }

    // 0=axis; ncnn blobs have no batch axis, so axis 0 (channels) is ONNX axis 1.
    private void Concat(NcnnLayer layer)
    {
        if (layer.Int(0, 0) != 0) throw layer.Error($"axis {layer.Int(0, 0)} is not supported (only 0, the channels)");
        var inputs = SameSizeInputs(layer);
        var output = _onnx.Concat(1, inputs.Select(b => b.Tensor).ToArray(), Tensor(layer, 0));
        _blobs[layer.Outputs[0]] = inputs[0] with { Tensor = output, Channels = inputs.Sum(b => b.Channels) };
    }

    // 0=resize_type (1 nearest) 1=height_scale 2=width_scale 3/4=fixed output size. For whole factors ncnn's
    // nearest (source = floor(destination / scale)) is ONNX's asymmetric/floor nearest.
    private void Interp(NcnnLayer layer)
    {
        Expect(layer, 1, 1);
        var input = In(layer, 0);
        if (layer.Int(0, 0) != 1) throw layer.Error($"resize_type {layer.Int(0, 0)} is not supported (only 1, nearest)");
        if (layer.Int(3, 0) != 0 || layer.Int(4, 0) != 0) throw layer.Error("a fixed output size is not supported");
        var scaleH = layer.Float(1, 1);
        var scaleW = layer.Float(2, 1);
        var factor = (int)scaleH;
        if (scaleH != scaleW || factor != scaleH || factor is < 1 or > MaxFactor)
            throw layer.Error($"scales {scaleH}×{scaleW} are not one whole factor between 1 and {MaxFactor}");
        var output = _onnx.ResizeNearest(input.Tensor, factor, Tensor(layer, 0));
        _blobs[layer.Outputs[0]] = input with { Tensor = output, Up = input.Up * factor };
    }

    // 0=upscale_factor 1=mode: 0 is torch.nn.PixelShuffle (ONNX DepthToSpace "CRD"), 1 is "DCR".
    private void PixelShuffle(NcnnLayer layer)
    {
        Expect(layer, 1, 1);
        var input = In(layer, 0);
        var factor = Bounded(layer, "upscale_factor", layer.Int(0, 1), MaxFactor);
        var mode = layer.Int(1, 0) switch
        {
            0 => "CRD",
            1 => "DCR",
            var m => throw layer.Error($"mode {m} is not supported (only 0 and 1)"),
        };
        if (input.Channels % (factor * factor) != 0) throw layer.Error($"{input.Channels} channels do not divide by {factor}²");
        var output = _onnx.DepthToSpace(input.Tensor, factor, mode, Tensor(layer, 0));
        _blobs[layer.Outputs[0]] = input with { Tensor = output, Channels = input.Channels / (factor * factor), Up = input.Up * factor };
    }

    private Blob In(NcnnLayer layer, int index) =>
        index < layer.Inputs.Count ? _blobs[layer.Inputs[index]] : throw layer.Error($"needs input {index + 1}");

    private Blob[] SameSizeInputs(NcnnLayer layer)
    {
        if (layer.Inputs.Count < 2 || layer.Outputs.Count != 1) throw layer.Error("needs at least 2 inputs and 1 output");
        var inputs = layer.Inputs.Select(name => _blobs[name]).ToArray();
        if (inputs.Any(b => b.Up * inputs[0].Down != inputs[0].Up * b.Down))
            throw layer.Error("its inputs have different sizes");
        return inputs;
    }

    private Blob[] SameShapeInputs(NcnnLayer layer)
    {
        var inputs = SameSizeInputs(layer);
        if (inputs.Any(b => b.Channels != inputs[0].Channels)) throw layer.Error("its inputs have different channel counts");
        return inputs;
    }

    /// <summary>The ONNX name for an output blob: "output" for the graph's result, else the layer-qualified blob name.</summary>
    private string Tensor(NcnnLayer layer, int index) =>
        layer.Outputs[index] == _outputBlob ? "output" : $"{layer.Name}:{layer.Outputs[index]}";

    private string Scalar(NcnnLayer layer, string name, float value) => _onnx.Initializer($"{layer.Name}.{name}", [value]);

    /// <summary>
    /// Input's 2=c when the exporter wrote it (most leave it out); else what the first convolution reading the
    /// image (directly or through Split) expects: weight_data_size / (num_output × kernel_h × kernel_w).
    /// </summary>
    private static int InputChannels(IReadOnlyList<NcnnLayer> layers)
    {
        var inputs = layers.Where(l => l.Type == "Input").ToArray();
        if (inputs.Length != 1 || inputs[0].Outputs.Count != 1)
            throw new ModelException($"{layers.FirstOrDefault()?.File}: {inputs.Length} Input layers; SatSR models take one image");
        if (inputs[0].Int(2, 0) is > 0 and var c) return Bounded(inputs[0], "c", c, MaxChannels);

        var image = new HashSet<string>(inputs[0].Outputs, StringComparer.Ordinal);
        foreach (var layer in layers.Where(l => l.Inputs.Count > 0 && image.Contains(l.Inputs[0])))
        {
            if (layer.Type == "Split") image.UnionWith(layer.Outputs);
            if (layer.Type != "Convolution") continue;
            var perInput = (long)layer.Int(0, 0) * layer.Int(1, 0) * layer.Int(11, layer.Int(1, 0));
            var weights = layer.Int(6, 0);
            return perInput > 0 && weights % perInput == 0
                ? Bounded(layer, "input channels", (int)(weights / perInput), MaxChannels)
                : throw layer.Error($"weight_data_size {weights} does not divide by num_output×kernel_h×kernel_w");
        }

        throw inputs[0].Error("no 2=c, and no convolution reads the image to tell the channel count");
    }

    /// <summary>The one blob no layer reads: the network's result.</summary>
    private static string OutputBlob(IReadOnlyList<NcnnLayer> layers)
    {
        var read = layers.SelectMany(l => l.Inputs).ToHashSet(StringComparer.Ordinal);
        var unread = layers.SelectMany(l => l.Outputs).Where(b => !read.Contains(b)).ToArray();
        return unread.Length == 1
            ? unread[0]
            : throw new ModelException($"{layers.FirstOrDefault()?.File}: {unread.Length} blobs are never read; expected exactly one output");
    }

    private static void Expect(NcnnLayer layer, int inputs, int outputs)
    {
        if (layer.Inputs.Count != inputs || layer.Outputs.Count != outputs)
            throw layer.Error($"has {layer.Inputs.Count} inputs and {layer.Outputs.Count} outputs, expected {inputs} and {outputs}");
    }

    private static int Count(NcnnLayer layer, int key) => layer.Int(key, 0) is >= 0 and var n ? n : throw layer.Error($"param {key} is negative");

    private static int Bounded(NcnnLayer layer, string what, int value, int max) =>
        value is >= 1 and var v && v <= max ? v : throw layer.Error($"{what} {value} is not between 1 and {max}");

    // ncnn's -233/-234 mean "same" padding computed at run time; SR nets export explicit pads.
    private static int Pad(NcnnLayer layer, string what, int value) =>
        value is >= 0 and <= MaxFactor ? value : throw layer.Error($"{what} {value} is not between 0 and {MaxFactor}");

    private readonly record struct Blob(string Tensor, int Channels, int Up, int Down);
}

/// <summary>What <see cref="NcnnGraph.Translate"/> learnt about the network besides its ONNX bytes.</summary>
internal sealed record NcnnNetwork(byte[] OnnxModel, int InputChannels, int OutputChannels, int Scale,
    SizeRequirements SizeRequirements, long ParameterCount);
