namespace SatSR.Models.Architectures;

/// <summary>
/// Which tensor names a state dict must have, as data: <c>HasAll("a.weight", HasAny("b.weight", "c.weight"))</c>.
/// A plain string is the condition that the name is present.
/// </summary>
public sealed class KeyCondition
{
    private readonly Func<StateDict, bool> _test;

    private KeyCondition(Func<StateDict, bool> test) => _test = test;

    public static implicit operator KeyCondition(string key) => new(sd => sd.ContainsKey(key));

    public static KeyCondition HasAll(params KeyCondition[] conditions) => new(sd => conditions.All(c => c.Matches(sd)));

    public static KeyCondition HasAny(params KeyCondition[] conditions) => new(sd => conditions.Any(c => c.Matches(sd)));

    public bool Matches(StateDict sd) => _test(sd);
}
