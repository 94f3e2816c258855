namespace SatSR.Models.Architectures;

/// <summary>
/// A network family SatSR can rebuild from a state dict alone: it recognises the family by its tensor names, reads
/// the hyper-parameters off the tensor shapes, and writes the same computation as an ONNX graph.
/// </summary>
public interface IArchitecture
{
    /// <summary>The name the pipeline and the zoo know the family by ("RRDBNet").</summary>
    string Id { get; }

    /// <summary>The overlap and memory the pipeline plans this family's tiles with.</summary>
    NetworkFootprint Footprint { get; }

    /// <summary>Cheap and by names: whether the tensors look like this family.</summary>
    bool Detect(StateDict sd);

    /// <exception cref="ModelException">the tensors are this family's, but do not fit together</exception>
    ModelDescriptor Build(StateDict sd, string name, string source);
}
