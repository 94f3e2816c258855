using System.Runtime.InteropServices;
using Onnx;
using SatSR.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SatSR.Training.Networks;

/// <summary>Weights in and out of a module, by their official state_dict names.</summary>
public static class Weights
{
    /// <summary>
    /// Copies a loaded model's weights into <paramref name="module"/>. SatSR's loader names every ONNX initializer it
    /// writes after the state_dict tensor it came from (whatever the file format was), so the graph is the one source.
    /// </summary>
    public static void LoadInto(nn.Module module, ModelDescriptor model)
    {
        var sd = Read(model);
        using var _ = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (!sd.TryGetValue(name, out var t))
                throw new TrainingException($"{model.Source}: has no tensor '{name}' that {model.ArchitectureId} needs");
            if (!t.Shape.SequenceEqual(parameter.shape))
                throw new TrainingException($"{model.Source}: tensor '{name}' has shape {t.ShapeText}, {model.ArchitectureId} needs [{string.Join(", ", parameter.shape)}]");
            parameter.copy_(tensor(t.Data).reshape(parameter.shape));
        }
    }

    /// <summary>
    /// The state dict behind a model SatSR loaded: the graph's float initializers named <c>….weight</c> or
    /// <c>….bias</c> (the graph's own constants have other names), PReLU slopes back from [C, 1, 1] to torch's [C].
    /// SatSR's loader names every initializer after its state_dict tensor; torch.onnx's export (the built-in model)
    /// does too, except PReLU slopes (<c>onnx::PRelu_N</c>), which take the name of their node (<c>/body.1/PRelu</c>).
    /// </summary>
    public static StateDict Read(ModelDescriptor model)
    {
        var graph = ModelProto.Parser.ParseFrom(model.OnnxModel).Graph;
        var renamed = graph.Node
            .Where(n => n.OpType == "PRelu" && n.Input.Count == 2 && n.Name.StartsWith('/') && n.Name.EndsWith("/PRelu", StringComparison.Ordinal))
            .ToDictionary(n => n.Input[1], n => n.Name[1..^"/PRelu".Length] + ".weight");
        return new StateDict(model.Source, graph.Initializer
            .Select(t => (Tensor: t, Name: renamed.GetValueOrDefault(t.Name, t.Name)))
            .Where(t => t.Tensor.DataType == (int)TensorProto.Types.DataType.Float && (t.Name.EndsWith(".weight", StringComparison.Ordinal) || t.Name.EndsWith(".bias", StringComparison.Ordinal)))
            .Select(t =>
            {
                var values = t.Tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.Tensor.RawData.Span).ToArray() : t.Tensor.FloatData.ToArray();
                var dims = t.Tensor.Dims;
                var shape = dims.Count == 3 && dims[1] == 1 && dims[2] == 1 ? [dims[0]] : dims.ToArray();
                return KeyValuePair.Create(t.Name, new WeightTensor(values, shape));
            }));
    }

    /// <summary>
    /// Writes Real-ESRGAN's checkpoint layout, <c>{'params_ema': …, 'params': …}</c>, as <c>torch.save</c> does
    /// (PyTorch opens it with weights_only=True). Tensors are detached so the file carries no autograd flags.
    /// </summary>
    public static void Export(Stream stream, nn.Module ema, nn.Module current)
    {
        var checkpoint = new Dictionary<string, object>
        {
            ["params_ema"] = StateDict(ema),
            ["params"] = StateDict(current),
        };
        PyTorchPickler.PickleStateDict(stream, checkpoint, leaveOpen: true);
    }

    private static Dictionary<string, Tensor> StateDict(nn.Module module) =>
        module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().contiguous());
}
