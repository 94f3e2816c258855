using System.Diagnostics;
using SatSR.Models.Pth;

namespace SatSR.Training.Tests;

public class TrainerTests
{
    private sealed class Recorder(Action<TrainingEvent>? also = null) : IProgress<TrainingEvent>
    {
        public List<TrainingEvent> Events { get; } = [];

        public void Report(TrainingEvent value)
        {
            Events.Add(value);
            also?.Invoke(value);
        }
    }

    /// <summary>On the real CBERS crop, the L1 loss of the last steps is well below that of the first (tiny SRVGG, seeded).</summary>
    [Fact]
    public void Loss_falls_over_the_steps_on_a_real_crop()
    {
        using var temp = new TempFolder();
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var options = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("out.pth")) with
        {
            Steps = 40, Batch = 4, LearningRate = 2e-3, Every = 40,
        };
        var recorder = new Recorder();
        Trainer.Run(options, recorder, CancellationToken.None);

        var losses = recorder.Events.OfType<StepDone>().Select(s => s.Loss).ToArray();
        Assert.Equal(40, losses.Length);
        Assert.True(losses[^8..].Average() < 0.7 * losses[..8].Average(), $"first {losses[..8].Average():F4}, last {losses[^8..].Average():F4}");
        Assert.True(File.Exists(options.OutputPath));
        Assert.False(File.Exists(options.CheckpointPath));
    }

    /// <summary>
    /// Cosine decay over 4 steps takes them at lr·(1 + cos(π·k/4))/2, k = 0…3 (worked by hand: 1, 0.853553, 0.5, 0.146447
    /// of lr), and those rates reach the optimiser: the weights differ from a constant-rate run's from the same seed.
    /// </summary>
    [Fact]
    public void Cosine_decay_takes_each_step_at_its_annealed_rate()
    {
        using var temp = new TempFolder();
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var constant = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("constant.pth")) with { Steps = 4, LearningRate = 1e-3, Every = 4 };
        var cosine = constant with { OutputPath = temp.File("cosine.pth"), Decay = LearningRateDecay.Cosine };
        var steps = new Recorder();
        Trainer.Run(cosine, steps, CancellationToken.None);
        Trainer.Run(constant, null, CancellationToken.None);

        double[] expected = [1e-3, 0.853553390593e-3, 0.5e-3, 0.146446609407e-3];
        var rates = steps.Events.OfType<StepDone>().Select(s => s.Rate).ToArray();
        Assert.Equal(expected.Length, rates.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rates[i], 1e-15);
        var a = PthCheckpoint.Load(constant.OutputPath);
        var b = PthCheckpoint.Load(cosine.OutputPath);
        Assert.Contains(a.Keys, key => !a[key].Data.SequenceEqual(b[key].Data));
    }

    /// <summary>Interrupted after step 4 of 6 and resumed, a run exports exactly the weights of an uninterrupted one.</summary>
    [Theory]
    [InlineData(LearningRateDecay.None)]
    [InlineData(LearningRateDecay.Cosine)]
    public void Resume_after_an_interrupt_gives_identical_weights(LearningRateDecay decay)
    {
        using var temp = new TempFolder();
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinyRrdb, temp.File("base.pth"));
        var straight = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("straight.pth")) with { Decay = decay };
        Trainer.Run(straight, null, CancellationToken.None);

        var interrupted = straight with { OutputPath = temp.File("interrupted.pth") };
        using var cancel = new CancellationTokenSource();
        var recorder = new Recorder(e => { if (e is StepDone { Step: 4 }) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(interrupted, recorder, cancel.Token));
        Assert.False(File.Exists(interrupted.OutputPath));
        Assert.Contains(recorder.Events, e => e is CheckpointSaved { Step: 4 });

        var resumed = new Recorder();
        Trainer.Run(interrupted with { Resume = true }, resumed, CancellationToken.None);
        Assert.Equal(4, resumed.Events.OfType<TrainingStarted>().Single().ResumedFrom);
        Assert.Equal([5L, 6L], resumed.Events.OfType<StepDone>().Select(s => s.Step));

        var a = PthCheckpoint.Load(straight.OutputPath);
        var b = PthCheckpoint.Load(interrupted.OutputPath);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys) Assert.Equal(a[key].Data, b[key].Data);
    }

    /// <summary>
    /// The file a run exports holds the EMA of the weights as 'params_ema' (what SatSR and Real-ESRGAN load) and the raw
    /// weights as 'params'. PyTorch checks it (tools/references/check_ema_export.py): with decay 0.5, after two steps the EMA is
    /// 0.25·base + 0.25·p₁ + 0.5·p₂, p₁ being a one-step run's raw weights (a run's steps depend only on its seed).
    /// </summary>
    [Fact]
    public void The_export_holds_the_EMA_as_params_ema_and_the_raw_weights_as_params()
    {
        using var temp = new TempFolder();
        var model = TrainingFixtures.BaseModel(TrainingFixtures.TinySrvgg, temp.File("base.pth"));
        var two = TrainingFixtures.Options(model, TrainingFixtures.Crop, temp.File("two.pth")) with { Steps = 2, Every = 2, EmaDecay = 0.5, LearningRate = 1e-2 };
        var one = two with { Steps = 1, Every = 1, OutputPath = temp.File("one.pth") };
        Trainer.Run(two, null, CancellationToken.None);
        Trainer.Run(one, null, CancellationToken.None);

        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (var a in (string[])[TrainingFixtures.Fixture("check_ema_export.py"), temp.File("base.pth"), one.OutputPath, two.OutputPath, "0.5"])
            info.ArgumentList.Add(a);
        using var python = Process.Start(info)!;
        var stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"tools/references/check_ema_export.py (needs python3-torch): {stderr}");
    }
}
