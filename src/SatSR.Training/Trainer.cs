using System.Diagnostics;
using System.Globalization;
using SatSR.Geometry;
using DegradationKind = SatSR.Quality.DegradationKind;
using SatSR.Training.Data;
using SatSR.Training.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training;

/// <summary>How a run ended: its last step and the held-out scores of the exported (EMA) weights.</summary>
public sealed record TrainingResult(long Steps, Validated Final);

/// <summary>
/// Generator-only fine-tuning as Real-ESRNet does it: L1 pixel loss, Adam (β 0.9/0.99), an exponential moving average
/// of the weights (validated and exported), random flips, no discriminator. Checkpoints every
/// <see cref="TrainingOptions.Every"/> steps and when cancelled; the .pth appears only when the last step is done.
/// </summary>
public static class Trainer
{
    private const string CheckpointMagic = "satsr-train-checkpoint-1";

    /// <exception cref="TrainingException">bad inputs or options (nothing is written then)</exception>
    /// <exception cref="OperationCanceledException">cancelled; the checkpoint holds the last finished step</exception>
    public static TrainingResult Run(TrainingOptions o, IProgress<TrainingEvent>? progress, CancellationToken ct)
    {
        var spec = NetworkSpec.From(o.Base);
        var scale = spec.Scale;
        Check(o, scale);
        var corpus = Corpus.Resolve(o.Inputs, o.Weights, o.HeldOut);
        if (o.PairsPath is not null && corpus.Count != 1) throw new TrainingException("--pairs: pairs one LR raster with one HR raster; give one input file");
        var images = corpus.Select(f => TrainingImage.Load(f.Path, spec.Channels)).ToList();
        foreach (var (file, image) in corpus.Zip(images))
            foreach (var w in file.HeldOut)
                if (!image.Bounds.Contains(w) || w.IsEmpty) throw new TrainingException($"--hold-out {file.Path}={Text(w)}: lies outside the {image.Width}×{image.Height} image");
        var lowRes = o.PairsPath is null ? null : LoadPair(o.PairsPath, images[0], spec.Channels, scale);
        var window = ValidationWindow(o, images[0], scale);
        var sampler = new PatchSampler(images, o.Patch, scale,
            corpus.Select((f, i) => (IReadOnlyList<Window>)(i == 0 ? [window, .. f.HeldOut] : f.HeldOut)).ToList(),
            corpus.Select(f => f.Weight).ToList(), lowRes);
        // Each file was asked for: one that cannot give a single patch is a mistake to report, not to skip.
        for (var i = 0; i < images.Count; i++)
        {
            if (sampler.PositionsOf(i) == 0)
            {
                var outside = i == 0 ? $" outside the validation window {Text(window)}" : "";
                throw new TrainingException($"{corpus[i].Path}: no {o.Patch}×{o.Patch} patch lies wholly in valid (non-nodata) pixels{outside} and its held-out windows");
            }
        }
        if (File.Exists(o.CheckpointPath) && !o.Resume)
            throw new TrainingException($"{o.CheckpointPath}: a checkpoint of an unfinished run exists; add --resume to continue it, or remove it to start again");

        var degradation = new Degradation(o.Degradation, scale, o.MtfGain, o.Mix);
        // A mixed run is validated by Wald's protocol (block mean), one fixed reference rather than a random draw.
        var validationDegradation = o.Degradation == DegradationKind.Mixed ? new Degradation(DegradationKind.Area, scale, o.MtfGain) : degradation;
        using var validation = new Validation(images[0], lowRes, window, spec.Channels, scale, validationDegradation, o.Seed);
        using var model = spec.Create();
        using var ema = spec.Create();
        Weights.LoadInto(model, o.Base);
        Weights.LoadInto(ema, o.Base);
        ema.eval();
        var baseScore = validation.Model(ema);
        var bicubic = validation.Bicubic();
        using var optimizer = optim.Adam(model.parameters(), o.LearningRate, 0.9, 0.99);

        var fingerprint = Fingerprint(o);
        long step = 0;
        if (o.Resume && File.Exists(o.CheckpointPath)) step = LoadCheckpoint(o.CheckpointPath, fingerprint, model, ema, optimizer);
        if (step > o.Steps) throw new TrainingException($"{o.CheckpointPath}: is at step {step}, past --steps {o.Steps}");
        progress?.Report(new TrainingStarted(sampler.PositionCount, images.Count, window, step, o.Steps));
        var last = new Validated(step, baseScore, validation.Model(ema), bicubic);
        progress?.Report(last);

        var pairs = model.parameters().Zip(ema.parameters()).ToArray();
        var clock = Stopwatch.StartNew();
        var first = step;
        while (step < o.Steps)
        {
            if (ct.IsCancellationRequested)
            {
                SaveCheckpoint(o.CheckpointPath, fingerprint, step, model, ema, optimizer);
                progress?.Report(new CheckpointSaved(step, o.CheckpointPath));
                ct.ThrowIfCancellationRequested();
            }
            step++;
            double loss;
            var rate = o.RateAt(step);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            using (var scope = NewDisposeScope())
            {
                var (lr, hr) = Batch(o, sampler, images, lowRes, degradation, spec.Channels, scale, step);
                loss = Step(model, optimizer, pairs, lr, hr, o.EmaDecay);
            }
            var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (step - first) * (o.Steps - step));
            progress?.Report(new StepDone(step, o.Steps, loss, rate, eta));
            if (step % o.Every == 0 || step == o.Steps)
            {
                last = new Validated(step, baseScore, validation.Model(ema), bicubic);
                progress?.Report(last);
                if (step < o.Steps)
                {
                    SaveCheckpoint(o.CheckpointPath, fingerprint, step, model, ema, optimizer);
                    progress?.Report(new CheckpointSaved(step, o.CheckpointPath));
                }
            }
        }

        Export(o.OutputPath, ema, model);
        File.Delete(o.CheckpointPath);
        return new TrainingResult(step, last);
    }

    /// <summary>
    /// One optimisation step, as Real-ESRNet takes it: L1 of the model's output against <paramref name="hr"/>,
    /// backward, Adam, then each EMA weight moved towards its parameter. Returns the loss.
    /// </summary>
    internal static float Step(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, (Parameter Current, Parameter Ema)[] pairs,
        Tensor lr, Tensor hr, double emaDecay)
    {
        using var l1 = F.l1_loss(model.call(lr), hr);
        optimizer.zero_grad();
        l1.backward();
        optimizer.step();
        using (no_grad())
        {
            foreach (var (p, e) in pairs) e.mul_(emaDecay).add_(p, 1 - emaDecay);
        }
        return l1.item<float>();
    }

    /// <summary>Writes OUTPUT.partial, then renames it: a reader never sees half a file.</summary>
    public static void Export(string path, nn.Module ema, nn.Module current)
    {
        var partial = path + ".partial";
        using (var stream = File.Create(partial)) Weights.Export(stream, ema, current);
        File.Move(partial, path, overwrite: true);
    }

    private static void Check(TrainingOptions o, int scale)
    {
        if (o.Inputs.Count == 0) throw new TrainingException("no input raster given");
        if (o.Steps < 1) throw new TrainingException($"--steps {o.Steps}: must be at least 1");
        if (o.Batch < 1) throw new TrainingException($"--batch {o.Batch}: must be at least 1");
        if (o.Every < 1) throw new TrainingException($"--every {o.Every}: must be at least 1");
        if (o.Patch < 8 * scale || o.Patch % scale != 0)
            throw new TrainingException($"--patch {o.Patch}: must be a multiple of the model's scale ({scale}) and at least {8 * scale}");
        if (!(o.LearningRate > 0)) throw new TrainingException($"--lr {o.LearningRate}: must be positive");
        if (o.MtfGain is not (> 0 and < 1)) throw new TrainingException($"--mtf-gain {o.MtfGain}: must lie between 0 and 1");
        if (o.Degradation == DegradationKind.Mixed && o.Mix is var m &&
            (m.AreaShare is < 0 or > 1 || !(m.MinGain > 0) || m.MaxGain < m.MinGain || !(m.MaxGain < 1) || m.MaxNoise < 0))
            throw new TrainingException(FormattableString.Invariant($"mixed degradation {m}: needs 0 ≤ area share ≤ 1, 0 < gains < 1, noise ≥ 0"));
        if (o.PairsPath is not null && o.Inputs.Count != 1) throw new TrainingException("--pairs: pairs one LR raster with one HR raster; give one input");
        if (File.Exists(o.OutputPath) && !o.Overwrite) throw new TrainingException($"{o.OutputPath}: exists; choose another name or add --overwrite");
        var folder = Path.GetDirectoryName(Path.GetFullPath(o.OutputPath))!;
        if (!Directory.Exists(folder)) throw new TrainingException($"{o.OutputPath}: the folder {folder} does not exist");
    }

    private static TrainingImage LoadPair(string path, TrainingImage hr, int channels, int scale)
    {
        var lr = TrainingImage.Load(path, channels);
        if (lr.Width != hr.Width / scale || lr.Height != hr.Height / scale)
            throw new TrainingException($"{path}: is {lr.Width}×{lr.Height}; paired with {hr.Path} ({hr.Width}×{hr.Height}) at ×{scale} it must be {hr.Width / scale}×{hr.Height / scale}");
        if (lr.Groups.Length != hr.Groups.Length) throw new TrainingException($"{path}: has {lr.Groups.Length} band group(s), {hr.Path} has {hr.Groups.Length}");
        return lr;
    }

    /// <summary>The given window (checked), or a strip along the bottom: a tenth of the height, at least a patch, whole LR pixels.</summary>
    private static Window ValidationWindow(TrainingOptions o, TrainingImage image, int scale)
    {
        var bounds = image.Bounds;
        if (o.Validation is { } w)
        {
            if (!bounds.Contains(w) || w.IsEmpty)
                throw new TrainingException($"--validation {Text(w)}: lies outside {image.Path} ({image.Width}×{image.Height})");
            var snapped = new Window(w.Column, w.Row, w.Width / scale * scale, w.Height / scale * scale);
            if (snapped.Width < 16 || snapped.Height < 16)
                throw new TrainingException($"--validation {Text(w)}: needs at least 16×16 pixels (in whole multiples of the scale {scale})");
            return snapped;
        }
        var height = Math.Max(o.Patch, image.Height / 10) / scale * scale;
        if (height >= image.Height) throw new TrainingException($"{image.Path}: {image.Width}×{image.Height} is too small to hold out a validation strip and still draw {o.Patch}×{o.Patch} patches");
        return new Window(0, image.Height - height, image.Width / scale * scale, height);
    }

    private static string Text(Window w) => FormattableString.Invariant($"{w.Column},{w.Row},{w.Width},{w.Height}");

    /// <summary>One step's batch: HR patches flipped as drawn, and their LR versions (degraded, or the paired image's).</summary>
    internal static (Tensor Lr, Tensor Hr) Batch(TrainingOptions o, PatchSampler sampler, List<TrainingImage> images, TrainingImage? lowRes,
        Degradation degradation, int channels, int scale, long step)
    {
        var patches = sampler.Draw(o.Seed, step, o.Batch);
        var hr = Stack(patches, p => (images[p.Image], p.Window), channels, o.Flip);
        var lr = lowRes is null
            ? degradation.Apply(hr, PatchSampler.StepRandom(o.Seed, step, 1))
            : Stack(patches, p => (lowRes, new Window(p.Window.Column / scale, p.Window.Row / scale, p.Window.Width / scale, p.Window.Height / scale)), channels, o.Flip);
        return (lr, hr);
    }

    // Without flips the patches are drawn exactly as with them (the same positions), and only not mirrored.
    private static Tensor Stack(Patch[] patches, Func<Patch, (TrainingImage Image, Window Window)> source, int channels, bool flip)
    {
        var (_, first) = source(patches[0]);
        int w = first.Width, h = first.Height, n = w * h;
        var data = new float[patches.Length * channels * n];
        var crop = new float[channels * n];
        for (var b = 0; b < patches.Length; b++)
        {
            var patch = flip ? patches[b] : patches[b] with { FlipX = false, FlipY = false };
            var (image, window) = source(patch);
            image.Crop(patch.Group, window, channels, crop);
            var dst = data.AsSpan(b * channels * n, channels * n);
            for (var c = 0; c < channels; c++)
                for (var y = 0; y < h; y++)
                    for (var x = 0; x < w; x++)
                        dst[c * n + y * w + x] = crop[c * n + (patch.FlipY ? h - 1 - y : y) * w + (patch.FlipX ? w - 1 - x : x)];
        }
        return tensor(data).reshape(patches.Length, channels, h, w);
    }

    /// <summary>What a checkpoint must agree on to be continued: everything that shapes the steps, except their number.</summary>
    private static string Fingerprint(TrainingOptions o) => string.Join("|",
        string.Join(";", o.Inputs.Select(Path.GetFullPath)),
        string.Join(";", o.Weights.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => FormattableString.Invariant($"{Path.GetFullPath(w.Key)}={w.Value:R}"))),
        string.Join(";", o.HeldOut.Select(h => $"{Path.GetFullPath(h.Path)}={Text(h.Window)}")), o.Degradation == DegradationKind.Mixed ? o.Mix.ToString() : "",
        o.Base.Source, o.Base.ParameterCount.ToString(CultureInfo.InvariantCulture),
        o.PairsPath ?? "", o.Batch, o.Patch, o.LearningRate.ToString("R", CultureInfo.InvariantCulture), o.Decay, o.Degradation,
        o.MtfGain.ToString("R", CultureInfo.InvariantCulture), o.Validation?.ToString() ?? "", o.Seed, o.EmaDecay.ToString("R", CultureInfo.InvariantCulture), o.Flip);

    private static void SaveCheckpoint(string path, string fingerprint, long step, nn.Module model, nn.Module ema, OptimizerHelper optimizer)
    {
        var partial = path + ".partial";
        using (var writer = new BinaryWriter(File.Create(partial)))
        {
            writer.Write(CheckpointMagic);
            writer.Write(fingerprint);
            writer.Write(step);
            model.save(writer);
            ema.save(writer);
            optimizer.save_state_dict(writer);
        }
        File.Move(partial, path, overwrite: true);
    }

    private static long LoadCheckpoint(string path, string fingerprint, nn.Module model, nn.Module ema, OptimizerHelper optimizer)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != CheckpointMagic) throw new TrainingException($"{path}: is not a SatSR training checkpoint");
            if (reader.ReadString() != fingerprint)
                throw new TrainingException($"{path}: was made by a run with other inputs or options; resume with the same ones, or remove it to start again");
            var step = reader.ReadInt64();
            model.load(reader);
            ema.load(reader);
            optimizer.load_state_dict(reader);
            return step;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new TrainingException($"{path}: cannot be read ({e.Message}); remove it to start again", e);
        }
    }
}
