using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Training.Networks;
using static TorchSharp.torch;

namespace SatSR.Training.Tests;

public class ExportTests
{
    public static TheoryData<string> Architectures => new() { "SRVGGNetCompact", "RRDBNet" };

    private static NetworkSpec Spec(string architecture) => architecture == "RRDBNet" ? TrainingFixtures.TinyRrdb : TrainingFixtures.TinySrvgg;

    /// <summary>A deterministic input in 0..1 both sides can make: x[i] = (i·37 mod 101)/100.</summary>
    private static float[] Input(int size) => Enumerable.Range(0, 3 * size * size).Select(i => i * 37 % 101 / 100f).ToArray();

    /// <summary>SatSR's safe loader reads the exported file into its ONNX graph; ONNX Runtime's output equals the trainer's forward.</summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Export_loads_in_SatSR_and_matches_the_trainers_forward(string architecture)
    {
        using var temp = new TempFolder();
        var spec = Spec(architecture);
        manual_seed(11);
        using var net = spec.Create();
        var path = temp.File("tiny.pth");
        Trainer.Export(path, net, net);

        var model = ModelLoader.Load(path);
        Assert.Equal(architecture, model.ArchitectureId);
        Assert.Equal(4, model.Scale);

        const int size = 12;
        var input = Input(size);
        float[] expected;
        using (no_grad())
        using (var x = tensor(input).reshape(1, 3, size, size))
        using (var y = net.call(x))
            expected = y.data<float>().ToArray();

        using var session = new InferenceSession(model.OnnxModel);
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, size, size]))]);
        var actual = results.Single().AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)), 0, 1e-5);
    }

    /// <summary>
    /// PyTorch (Debian's python3-torch) opens the file with weights_only=True and loads both 'params_ema' and 'params'
    /// strictly into networks written from the official definitions; its output equals the trainer's.
    /// </summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Export_loads_strictly_in_PyTorch(string architecture)
    {
        using var temp = new TempFolder();
        var spec = Spec(architecture);
        manual_seed(13);
        using var ema = spec.Create();
        using var current = spec.Create();
        var path = temp.File("tiny.pth");
        Trainer.Export(path, ema, current);

        const int size = 10;
        var input = Input(size);
        File.WriteAllBytes(temp.File("in.bin"), input.SelectMany(BitConverter.GetBytes).ToArray());
        string[] hyper = spec switch
        {
            SrvggSpec s => [$"num_feat={s.Features}", $"num_conv={s.Convs}", $"upscale={s.Scale}"],
            RrdbSpec r => [$"num_feat={r.Features}", $"num_block={r.Blocks}", $"num_grow_ch={r.Grow}", $"scale={r.Scale}"],
            _ => throw new ArgumentException(architecture),
        };
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (var a in (string[])[TrainingFixtures.Fixture("check_training_export.py"), path, architecture, .. hyper, $"size={size}", temp.File("in.bin"), temp.File("out.bin")])
            info.ArgumentList.Add(a);
        using var python = Process.Start(info)!;
        var stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"PyTorch refused the file (needs python3-torch): {stderr}");

        var bytes = File.ReadAllBytes(temp.File("out.bin"));
        var actual = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
        using var _ = no_grad();
        using var x = tensor(input).reshape(1, 3, size, size);
        using var y = ema.call(x);
        var expected = y.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)), 0, 1e-5);
    }
}
