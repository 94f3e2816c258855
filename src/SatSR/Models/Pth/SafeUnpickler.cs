using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Razorvine.Pickle;

namespace SatSR.Models.Pth;

/// <summary>
/// Unpickles a PyTorch checkpoint's <c>data.pkl</c> after <see cref="PickleScanner"/> has checked that it names only
/// the globals below. Tensors come back as <see cref="StoredTensor"/>s that point into storages by key; nothing
/// is read from the storages here, so the caller reads only the tensors it keeps.
/// </summary>
internal static class SafeUnpickler
{
    /// <summary>The allow-list: every global a tensor checkpoint needs, and the object that stands for it.</summary>
    private static readonly Dictionary<string, IObjectConstructor> Globals = new()
    {
        ["collections.OrderedDict"] = new Constructor(_ => new PickledOrderedDict()),
        ["torch._utils._rebuild_tensor_v2"] = new Constructor(StoredTensor.Rebuild),
        ["torch._utils._rebuild_parameter"] = new Constructor(args => args is [StoredTensor t, ..] ? t : throw new PickleException("_rebuild_parameter needs a tensor")),
        ["torch.FloatStorage"] = StorageType.Float,
        ["torch.HalfStorage"] = StorageType.Half,
        ["torch.DoubleStorage"] = StorageType.Double,
        ["torch.BFloat16Storage"] = StorageType.BFloat16,
    };

    /// <summary>The names of <see cref="Globals"/>, which <see cref="PickleScanner"/> lets through.</summary>
    internal static IReadOnlySet<string> Allowed { get; } = new HashSet<string>(Globals.Keys, StringComparer.Ordinal);

    static SafeUnpickler()
    {
        // Razorvine keeps its constructors in one process-wide table; these entries only add torch's names.
        foreach (var (global, constructor) in Globals)
        {
            var dot = global.LastIndexOf('.');
            Unpickler.registerConstructor(global[..dot], global[(dot + 1)..], constructor);
        }
    }

    /// <param name="file">the file name errors start with</param>
    // Razorvine finds __setstate__ by reflection: the native CLI's trimmer must keep it.
    [DynamicDependency(nameof(PickledOrderedDict.__setstate__), typeof(PickledOrderedDict))]
    public static object Load(byte[] pickle, string file)
    {
        new PickleScanner(pickle, file, Allowed).Check();
        try
        {
            using var unpickler = new TorchUnpickler();
            return unpickler.loads(pickle);
        }
        // Past the scanner a broken pickle can only fail, but Razorvine fails in many ways (casts, stack underflow).
        catch (Exception e) when (e is not (ModelException or OutOfMemoryException))
        {
            throw new ModelException($"{file}: the pickle is malformed ({e.Message.ReplaceLineEndings(" ").Trim()})", e);
        }
    }

    /// <summary>torch.save writes each storage as the persistent id <c>('storage', type, key, location, numel)</c>.</summary>
    private sealed class TorchUnpickler : Unpickler
    {
        protected override object persistentLoad(object pid) => pid is object[] { Length: 5 } t && t[0] is "storage"
            && t[1] is StorageType type && t[2] is string key && t[4] is int or long
            ? new Storage(type, key, Convert.ToInt64(t[4]))
            : throw new PickleException("a persistent id that is not a torch storage");
    }

    private sealed class Constructor(Func<object[], object> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args);
    }
}

/// <summary>
/// A Python <c>OrderedDict</c> (state dicts are OrderedDicts). Its order is not kept: Razorvine adds each batch of
/// items in reverse, so <see cref="PthCheckpoint"/> orders tensors by storage instead.
/// </summary>
internal sealed class PickledOrderedDict : Hashtable
{
    /// <summary>BUILD hands a state dict its <c>_metadata</c> (module versions), which SatSR has no use for.</summary>
#pragma warning disable IDE1006, CA1707 // the name is Python's, found by Razorvine through reflection
    public void __setstate__(Hashtable state) { }
#pragma warning restore IDE1006, CA1707
}
