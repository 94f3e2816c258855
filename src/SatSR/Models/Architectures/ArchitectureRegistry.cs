namespace SatSR.Models.Architectures;

/// <summary>The architectures SatSR knows, in the order they are tried: the first whose <see cref="IArchitecture.Detect"/> matches builds the model.</summary>
public sealed class ArchitectureRegistry(IReadOnlyList<IArchitecture> architectures)
{
    private const int KeysShown = 8;

    public static ArchitectureRegistry Default { get; } = new([new Rrdbnet(), new SrvggCompact()]);

    public IReadOnlyList<IArchitecture> Architectures { get; } = architectures;

    /// <summary>The architecture known as <paramref name="id"/>.</summary>
    public IArchitecture Find(string id) => Architectures.FirstOrDefault(a => a.Id == id)
        ?? throw new ModelException($"no architecture '{id}' (known: {string.Join(", ", Architectures.Select(a => a.Id))})");

    /// <param name="name">the model's name</param>
    /// <param name="source">where it came from (the full path)</param>
    public ModelDescriptor Load(StateDict sd, string name, string source)
    {
        var architecture = Architectures.FirstOrDefault(a => a.Detect(sd));
        if (architecture is null)
        {
            var keys = string.Join(", ", sd.Keys.Take(KeysShown)) + (sd.Count > KeysShown ? $", … ({sd.Count - KeysShown} more)" : "");
            throw new ModelException($"{sd.File}: no supported architecture matches its tensors (keys: {keys}; supported: {string.Join(", ", Architectures.Select(a => a.Id))})");
        }
        return architecture.Build(sd, name, source);
    }
}
