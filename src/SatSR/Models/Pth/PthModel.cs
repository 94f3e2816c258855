namespace SatSR.Models.Pth;

/// <summary>PyTorch checkpoints (.pth): read safely and turned into an ONNX graph by the architecture registry.</summary>
public static class PthModel
{
    public static ModelDescriptor Load(string path) =>
        throw new ModelException($"{path}: PyTorch .pth checkpoints are not supported yet; convert to ONNX or use the ncnn form");
}
