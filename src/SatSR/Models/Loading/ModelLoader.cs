using Onnx;
using SatSR.Geometry;
using SatSR.Models.Ncnn;

namespace SatSR.Models.Loading;

/// <summary>Any model file → the ONNX graph SatSR runs. The container format is told by the file's extension.</summary>
public static class ModelLoader
{
    public static ModelDescriptor Load(string path)
    {
        if (Directory.Exists(path)) throw new ModelException($"{path}: is a folder, not a model file");
        if (!File.Exists(path)) throw new ModelException($"{path}: no such model file");
        if (new FileInfo(path).Length == 0) throw new ModelException($"{path}: is empty (0 bytes)");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".param" => NcnnModel.Load(path),
            ".onnx" => LoadOnnx(path),
            ".pth" or ".pt" => Pth.PthModel.Load(path),
            var ext => throw new ModelException($"{path}: unknown model format '{ext}' (expected .pth, ncnn .param or .onnx)"),
        };
    }

    /// <summary>An ONNX file is run as it is; its scale is measured when it first runs unless the file says.</summary>
    private static ModelDescriptor LoadOnnx(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or InvalidOperationException)
        {
            throw new ModelException($"{path}: not a valid ONNX model ({e.Message})", e);
        }
        if (model.Graph is null || model.Graph.Input.Count == 0 || model.Graph.Output.Count == 0)
        {
            throw new ModelException($"{path}: the ONNX file has no graph inputs or outputs");
        }
        var inputs = model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        int? scale = model.MetadataProps.FirstOrDefault(p => p.Key == "scale") is { } s && int.TryParse(s.Value, out var v) ? v : null;
        return new ModelDescriptor(
            Path.GetFileNameWithoutExtension(path), "onnx", scale,
            Channels(inputs.FirstOrDefault()) ?? 3, Channels(model.Graph.Output[0]) ?? 3,
            SizeRequirements.Any, bytes,
            model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d)),
            path, NetworkFootprint.OfGraph(bytes));
    }

    private static int? Channels(ValueInfoProto? value) =>
        value?.Type?.TensorType?.Shape?.Dim is { Count: 4 } dims && dims[1].DimValue > 0 ? (int)dims[1].DimValue : null;
}
