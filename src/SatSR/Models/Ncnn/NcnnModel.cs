namespace SatSR.Models.Ncnn;

/// <summary>
/// Loads an ncnn model (<c>x.param</c> + <c>x.bin</c> side by side) as a <see cref="ModelDescriptor"/> whose ONNX
/// graph computes what ncnn would. The graph takes and gives NCHW float in 0..1, as realesrgan-ncnn-vulkan and
/// Upscayl feed these networks (they divide 8-bit pixels by 255 before, and multiply by 255 after).
/// </summary>
public static class NcnnModel
{
    public static ModelDescriptor Load(string paramPath)
    {
        var binPath = Path.ChangeExtension(paramPath, ".bin");
        if (!File.Exists(paramPath)) throw new ModelException($"{paramPath}: no such file");
        if (!File.Exists(binPath))
            throw new ModelException($"{Path.GetFileName(paramPath)}: its weights {Path.GetFileName(binPath)} are missing");
        var layers = NcnnParam.Load(paramPath);
        var weights = NcnnWeights.Read(binPath, NcnnGraph.WeightSpecs(layers), Path.GetFileName(paramPath));
        var network = NcnnGraph.Translate(layers, weights);
        return new ModelDescriptor(Path.GetFileNameWithoutExtension(paramPath), "ncnn", network.Scale,
            network.InputChannels, network.OutputChannels, network.SizeRequirements, network.OnnxModel,
            network.ParameterCount, Path.GetFullPath(paramPath), NetworkFootprint.OfGraph(network.OnnxModel));
    }
}
