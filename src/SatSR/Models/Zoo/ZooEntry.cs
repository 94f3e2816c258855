namespace SatSR.Models.Zoo;

/// <summary>A model SatSR knows by name.</summary>
/// <param name="ArchitectureId">the network family, as the architecture registry names it</param>
/// <param name="Source">where the weights come from (licence and origin, for <c>satsr models list</c>)</param>
/// <param name="Embedded">true when the weights ship inside SatSR.dll, false when they must be fetched once</param>
/// <param name="Consistency">whether the model runs with the consistency correction unless told otherwise (<see cref="ModelDescriptor.Consistency"/>)</param>
/// <param name="MeasuredWeight">whether a run measures the model's weight against bicubic unless told otherwise (<see cref="ModelDescriptor.MeasuredWeight"/>)</param>
public sealed record ZooEntry(string Name, string ArchitectureId, int Scale, long ParameterCount, string Source, bool Embedded, bool Consistency = false,
    bool MeasuredWeight = false);
