using SatSR.Geometry;
using SatSR.Models;
using SatSR.Quality;
using SatSR.Training.Data;

namespace SatSR.Training;

/// <summary>A fine-tuning run, as the user asked for it. <see cref="Trainer.Run"/> checks it before any file is written.</summary>
public sealed record TrainingOptions
{
    /// <summary>The high-resolution rasters patches are drawn from: files, or folders whose rasters are all taken (<see cref="Corpus"/>).</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>Sampling weight by input file or folder (default 1 each): how often a patch comes from it relative to the others.</summary>
    public IReadOnlyDictionary<string, double> Weights { get; init; } = new Dictionary<string, double>();

    /// <summary>Windows of input files no training patch may touch (kept for scoring), in each file's pixels.</summary>
    public IReadOnlyList<(string Path, Window Window)> HeldOut { get; init; } = [];

    /// <summary>The model fine-tuned (SRVGGNetCompact or RRDBNet, any hyper-parameters).</summary>
    public required ModelDescriptor Base { get; init; }

    /// <summary>The .pth written when training completes; its checkpoint is <c>OUTPUT.checkpoint</c>.</summary>
    public required string OutputPath { get; init; }

    public int Steps { get; init; } = 2000;
    public int Batch { get; init; } = 8;

    /// <summary>HR patch side in pixels (a multiple of the scale).</summary>
    public int Patch { get; init; } = 128;

    /// <summary>Adam's learning rate (Real-ESRGAN's fine-tuning value).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>How the learning rate changes over the steps.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.None;

    public DegradationKind Degradation { get; init; } = DegradationKind.Area;

    /// <summary>What <see cref="DegradationKind.Mixed"/> draws per patch.</summary>
    public DegradationMix Mix { get; init; } = DegradationMix.Default;

    /// <summary>Random horizontal and vertical flips of the patches (Real-ESRNet's augmentation); off keeps the scene's own orientation (its shadows' side).</summary>
    public bool Flip { get; init; } = true;

    /// <summary>For <see cref="DegradationKind.Mtf"/>: the LR system's MTF at Nyquist.</summary>
    public double MtfGain { get; init; } = 0.3;

    /// <summary>Paired mode: a low-resolution raster co-registered with the one input, instead of synthetic degradation.</summary>
    public string? PairsPath { get; init; }

    /// <summary>The held-out window of the first input, in its pixels; null: a strip along its bottom edge.</summary>
    public Window? Validation { get; init; }

    public long Seed { get; init; }

    /// <summary>Continue from OUTPUT.checkpoint when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>Replace an existing output.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Validation and checkpoint interval, in steps.</summary>
    public int Every { get; init; } = 100;

    /// <summary>EMA decay of the exported weights.</summary>
    public double EmaDecay { get; init; } = 0.999;

    public string CheckpointPath => OutputPath + ".checkpoint";

    /// <summary>
    /// The learning rate of step <paramref name="step"/> (1 … <see cref="Steps"/>): constant, or cosine-annealed from
    /// <see cref="LearningRate"/> at the first step towards 0 after the last. A closed form, so a resumed run takes the
    /// rate its step had without replaying a scheduler.
    /// </summary>
    public double RateAt(long step) => Decay switch
    {
        LearningRateDecay.Cosine => LearningRate * (1 + Math.Cos(Math.PI * (step - 1) / Steps)) / 2,
        _ => LearningRate,
    };
}

/// <summary>The learning rate's course: constant (Real-ESRNet's, whose decay comes after 10⁶ steps) or cosine annealing.</summary>
public enum LearningRateDecay
{
    None,
    Cosine,
}
