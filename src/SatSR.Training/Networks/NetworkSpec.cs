using System.Globalization;
using SatSR.Models;
using SatSR.Models.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace SatSR.Training.Networks;

/// <summary>
/// What a network is, enough to build it again: the architecture and its hyper-parameters, as SatSR's model loader
/// reads them off a state dict's shapes (<see cref="ModelDescriptor.Hyperparameters"/>).
/// </summary>
public abstract record NetworkSpec(int Channels, int Scale)
{
    public abstract string ArchitectureId { get; }

    /// <summary>A new module with this shape; its weights are torch's default initialisation.</summary>
    public abstract nn.Module<Tensor, Tensor> Create();

    /// <exception cref="TrainingException">the model's architecture is not one SatSR can train</exception>
    public static NetworkSpec From(ModelDescriptor model)
    {
        if (model.ArchitectureId is not ("SRVGGNetCompact" or "RRDBNet"))
            throw new TrainingException(
                $"{model.Source}: cannot train a model of architecture '{model.ArchitectureId}'; training needs SRVGGNetCompact or RRDBNet weights (a .pth or a zoo name)");
        // The graph's weights rebuilt into a state dict give the hyper-parameters whatever the file format said.
        var h = ArchitectureRegistry.Default.Load(Weights.Read(model), model.Name, model.Source).Hyperparameters;
        int Get(string key) => h.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
            : throw new TrainingException($"{model.Source}: its {model.ArchitectureId} hyper-parameters lack '{key}'");
        return model.ArchitectureId switch
        {
            "SRVGGNetCompact" => new SrvggSpec(Get("num_in_ch"), Get("upscale"), Get("num_feat"), Get("num_conv")),
            "RRDBNet" => new RrdbSpec(Get("num_in_ch"), Get("scale"), Get("num_feat"), Get("num_block"), Get("num_grow_ch")),
            _ => throw new InvalidOperationException("checked above"),
        };
    }
}

public sealed record SrvggSpec(int Channels, int Scale, int Features, int Convs) : NetworkSpec(Channels, Scale)
{
    public override string ArchitectureId => "SRVGGNetCompact";
    public override nn.Module<Tensor, Tensor> Create() => new Srvgg(this);
}

public sealed record RrdbSpec(int Channels, int Scale, int Features, int Blocks, int Grow) : NetworkSpec(Channels, Scale)
{
    public override string ArchitectureId => "RRDBNet";
    public override nn.Module<Tensor, Tensor> Create() => new Rrdb(this);
}
