using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using SatSR;
using SatSR.Cli.Terminal;
using SatSR.Geometry;
using SatSR.Models.Zoo;
using SatSR.Quality;
using SatSR.Training;
using SatSR.Training.Data;

// `satsr train`: the CLI hands its arguments here (this program carries TorchSharp; the CLI does not).
var inputs = new Argument<string[]>("HR") { Description = "High-resolution rasters to learn from, or folders of them (arguments can also come from a file: @FILE, one per line)", Arity = ArgumentArity.OneOrMore };
var weights = new Option<string[]>("--weight") { Description = "PATH=W: draw patches from this input file or folder W times as often as from one of weight 1 (the default: every file equally often)", AllowMultipleArgumentsPerToken = false };
var heldOut = new Option<string[]>("--hold-out") { Description = "PATH=x,y,w,h: a window of that input file no training patch touches (kept for scoring); repeatable" };
var model = new Option<string>("--base") { Description = "Model to fine-tune: zoo name or .pth (SRVGGNetCompact or RRDBNet)", Required = true };
var output = new Option<string>("--output", "-o") { Description = "The fine-tuned .pth (Real-ESRGAN layout), written when training completes", Required = true };
var steps = new Option<int>("--steps") { Description = "Optimisation steps", DefaultValueFactory = _ => 2000 };
var batch = new Option<int>("--batch") { Description = "Patches per step", DefaultValueFactory = _ => 8 };
var patch = new Option<int>("--patch") { Description = "HR patch side in pixels (a multiple of the scale)", DefaultValueFactory = _ => 128 };
var rate = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-4 };
var decay = new Option<LearningRateDecay>("--lr-decay") { Description = "The learning rate's course: none (constant) or cosine (annealed towards 0 at the last step)", DefaultValueFactory = _ => LearningRateDecay.None };
var degradation = new Option<DegradationKind>("--degradation") { Description = "How LR patches are made: area (block mean), mtf (a Gaussian of MTF --mtf-gain at Nyquist sampled at the block centres, as satsr eval makes it), mixed (per patch: area, or a blur of random MTF 0.15–0.5, then mild noise) or realesrgan", DefaultValueFactory = _ => DegradationKind.Area };
var gain = new Option<double>("--mtf-gain") { Description = "MTF at Nyquist for --degradation mtf", DefaultValueFactory = _ => 0.3 };
var pairs = new Option<string?>("--pairs") { Description = "A co-registered low-resolution raster (paired mode) instead of synthetic degradation" };
var validation = new Option<string?>("--validation") { Description = "Held-out window x,y,w,h in the first input's pixels (default: a strip along its bottom)" };
var seed = new Option<long>("--seed") { Description = "Seed of patch sampling and degradations", DefaultValueFactory = _ => 0 };
var every = new Option<int>("--every") { Description = "Validate and checkpoint every this many steps", DefaultValueFactory = _ => 100 };
var logEvery = new Option<int>("--log-every") { Description = "Print a step line every this many steps", DefaultValueFactory = _ => 10 };
var noFlip = new Option<bool>("--no-flip") { Description = "Do not mirror the training patches at random (keeps the imagery's orientation, e.g. the side shadows fall on)" };
var resume = new Option<bool>("--resume") { Description = "Continue from OUTPUT.checkpoint" };
var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output" };
var root = new RootCommand("Fine-tune a super-resolution model on your own high-resolution imagery (generator only, L1, Adam, EMA)")
{
    inputs, weights, heldOut, model, output, steps, batch, patch, rate, decay, degradation, gain, pairs, validation, seed, every, logEvery, noFlip, resume, overwrite,
};
root.HelpName = "satsr train";

// `satsr train benchmark srvgg|rrdb`: the training step's speed, for comparison with tools/studies/bench_train_step.py.
var architecture = new Argument<string>("ARCH") { Description = "srvgg (realesr-general-x4v3's shape) or rrdb (RealESRGAN_x4plus's)" };
var benchBatch = new Option<int?>("--batch") { Description = "Patches per step (default: 8 for srvgg, 2 for rrdb)" };
var lrPatch = new Option<int>("--lr-patch") { Description = "LR patch side (HR is 4× that)", DefaultValueFactory = _ => 32 };
var benchSteps = new Option<int>("--steps") { Description = "Timed steps, after one warm-up", DefaultValueFactory = _ => 5 };
var threads = new Option<int?>("--threads") { Description = "LibTorch's intra-op threads (default: its own choice)" };
var benchmark = new Command("benchmark", "Time the training step (forward, L1, backward, Adam, EMA) on random data") { architecture, benchBatch, lrPatch, benchSteps, threads };
benchmark.SetAction(parse =>
{
    try
    {
        var arch = parse.GetRequiredValue(architecture);
        var spec = StepBenchmark.For(arch);
        if (parse.GetValue(threads) is { } n) TorchSharp.torch.set_num_threads(n);
        var size = parse.GetValue(benchBatch) ?? (arch == "srvgg" ? 8 : 2);
        var side = parse.GetValue(lrPatch);
        var seconds = StepBenchmark.Run(spec, size, side, parse.GetValue(benchSteps));
        Console.WriteLine(Invariant($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} {arch} batch {size} LR {side}² threads {TorchSharp.torch.get_num_threads()}: {seconds:F3} s/step"));
        return 0;
    }
    catch (SatSRException e)
    {
        Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
        return 1;
    }
});
root.Subcommands.Add(benchmark);
root.SetAction(parse =>
{
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;   // finish the step and save a checkpoint rather than die mid-write
        cancel.Cancel();
    };
    // A scheduler's or `kill`'s SIGTERM gets the same treatment as Ctrl-C.
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        cancel.Cancel();
    });
    try
    {
        var options = new TrainingOptions
        {
            Inputs = parse.GetRequiredValue(inputs),
            Weights = (parse.GetValue(weights) ?? []).Select(w => Assignment("--weight", w, ParseWeight)).ToDictionary(),
            HeldOut = [.. (parse.GetValue(heldOut) ?? []).Select(h => Assignment("--hold-out", h, v => ParseWindow(v, "--hold-out")!.Value)).Select(kv => (kv.Key, kv.Value))],
            Base = new ModelZoo(ModelZoo.DefaultCacheDirectory).Resolve(parse.GetRequiredValue(model)),
            OutputPath = parse.GetRequiredValue(output),
            Steps = parse.GetValue(steps),
            Batch = parse.GetValue(batch),
            Patch = parse.GetValue(patch),
            LearningRate = parse.GetValue(rate),
            Decay = parse.GetValue(decay),
            Degradation = parse.GetValue(degradation),
            Flip = !parse.GetValue(noFlip),
            MtfGain = parse.GetValue(gain),
            PairsPath = parse.GetValue(pairs),
            Validation = ParseWindow(parse.GetValue(validation), "--validation"),
            Seed = parse.GetValue(seed),
            Every = parse.GetValue(every),
            Resume = parse.GetValue(resume),
            Overwrite = parse.GetValue(overwrite),
        };
        var result = Trainer.Run(options, new Log(Math.Max(1, parse.GetValue(logEvery))), cancel.Token);
        Console.WriteLine(Invariant($"wrote {options.OutputPath} after {result.Steps} steps: held-out PSNR {result.Final.Current.Psnr:F2} dB (base {result.Final.Base.Psnr:F2}, bicubic {result.Final.Bicubic.Psnr:F2})"));
        return 0;
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("cancelled: the checkpoint holds the last finished step; run the same command with --resume to continue");
        return 130;
    }
    catch (SatSRException e)
    {
        Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
        return 1;
    }
});
var parsed = root.Parse(args);
if (args.Length > 0 && ParseErrorLine.For(parsed) is { } mistake)
{
    Console.Error.WriteLine($"error: {mistake}");
    return 1;
}
return parsed.Invoke();

static Window? ParseWindow(string? text, string option)
{
    if (text is null) return null;
    var parts = text.Split(',');
    var values = parts.Select(p => int.TryParse(p.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (int?)null).ToArray();
    if (values.Length != 4 || values.Any(v => v is null))
        throw new TrainingException($"{option} {text}: expected x,y,w,h in pixels, e.g. 0,2000,1024,512");
    return new Window(values[0]!.Value, values[1]!.Value, values[2]!.Value, values[3]!.Value);
}

// PATH=VALUE, split at the last '=' (a path may hold one; a number or window never does).
static KeyValuePair<string, T> Assignment<T>(string option, string text, Func<string, T> parse)
{
    var at = text.LastIndexOf('=');
    if (at <= 0 || at == text.Length - 1) throw new TrainingException($"{option} {text}: expected PATH=VALUE");
    return new(text[..at], parse(text[(at + 1)..]));
}

static double ParseWeight(string text) =>
    double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : throw new TrainingException($"--weight …={text}: not a number");

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

/// <summary>Plain lines, one per event worth reading in a log.</summary>
internal sealed class Log(int every) : IProgress<TrainingEvent>
{
    public void Report(TrainingEvent value)
    {
        var line = value switch
        {
            TrainingStarted s => Format($"training: {s.Positions} patch positions in {s.Files} file(s), validation window {s.Validation.Column},{s.Validation.Row},{s.Validation.Width},{s.Validation.Height} held out{(s.ResumedFrom > 0 ? $", resumed at step {s.ResumedFrom}" : "")}, {s.Steps} steps"),
            StepDone d when d.Step % every == 0 || d.Step == d.Steps => Format($"step {d.Step}/{d.Steps}  loss {d.Loss:F5}  lr {d.Rate:G3}  ETA {d.Eta:hh\\:mm\\:ss}"),
            Validated v => Format($"validation at step {v.Step}: PSNR {v.Current.Psnr:F2} dB, SSIM {v.Current.Ssim:F4} (base {v.Base.Psnr:F2} dB / {v.Base.Ssim:F4}, bicubic {v.Bicubic.Psnr:F2} dB / {v.Bicubic.Ssim:F4})"),
            CheckpointSaved c => Format($"checkpoint at step {c.Step}: {c.Path}"),
            _ => null,
        };
        if (line is not null) Console.WriteLine(line);
    }

    private static string Format(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
