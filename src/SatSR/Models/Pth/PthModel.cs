using SatSR.Models.Architectures;

namespace SatSR.Models.Pth;

/// <summary>PyTorch checkpoints (.pth): read safely, then turned into an ONNX graph by the architecture registry.</summary>
public static class PthModel
{
    public static ModelDescriptor Load(string path) =>
        ArchitectureRegistry.Default.Load(PthCheckpoint.Load(path), Path.GetFileNameWithoutExtension(path), Path.GetFullPath(path));
}
