using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models;
using SatSR.Models.Loading;
using SatSR.Models.Architectures;
using SatSR.Models.Pth;

namespace SatSR.Tests.Models;

public class ArchitectureTests
{
    private const float Tolerance = 1e-4f;

    /// <summary>Each fixture saved in a different way: fp16, bare, {'params'} in archive/, {'state_dict'} with module.</summary>
    [Theory]
    [InlineData("rrdbnet_x4")]
    [InlineData("rrdbnet_x2")]
    [InlineData("rrdbnet_x1")]
    [InlineData("srvgg_x4")]
    [InlineData("srvgg_x2")]
    [InlineData("srvgg_x3")]
    public void Detects_the_network_and_computes_what_pytorch_computed(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PthFixtures.File(name + ".json")));
        var meta = json.RootElement;

        var model = ModelLoader.Load(PthFixtures.File(name + ".pth"));

        Assert.Equal(meta.GetProperty("arch").GetString(), model.ArchitectureId);
        Assert.Equal(meta.GetProperty("scale").GetInt32(), model.Scale);
        Assert.Equal(meta.GetProperty("parameters").GetInt64(), model.ParameterCount);
        foreach (var key in new[] { "num_block", "num_feat", "num_grow_ch", "num_conv", "upscale" })
        {
            if (meta.TryGetProperty(key, out var value)) Assert.Equal(value.GetInt32().ToString(), model.Hyperparameters[key]);
        }
        var input = PthFixtures.Floats(name + ".input.bin", Shape(meta, "input_shape"));
        var expected = PthFixtures.Floats(name + ".output.bin", Shape(meta, "output_shape"));
        var actual = OnnxRunner.Run(model.OnnxModel, input);
        Assert.InRange(PthFixtures.MaxAbsDifference(expected, actual), 0, Tolerance);
    }

    [Theory]
    [InlineData("rrdbnet_x4", 1)]
    [InlineData("rrdbnet_x2", 2)]
    [InlineData("rrdbnet_x1", 4)]
    [InlineData("srvgg_x3", 1)]
    public void An_unshuffling_network_asks_for_sizes_it_can_unshuffle(string name, int multiple)
    {
        Assert.Equal(multiple, ModelLoader.Load(PthFixtures.File(name + ".pth")).SizeRequirements.MultipleOf);
    }

    [Fact]
    public void The_real_general_x4v3_checkpoint_computes_what_its_pytorch_export_computes()
    {
        var model = ModelLoader.Load(PthFixtures.File("realesr-general-x4v3.pth"));
        var export = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "realesr-general-x4v3.onnx"));
        var input = new DenseTensor<float>([1, 3, 32, 32]);
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < 32; y++)
        for (var x = 0; x < 32; x++)
            input[0, c, y, x] = 0.5f + 0.4f * MathF.Sin(0.3f * x + 0.2f * y + c) * MathF.Cos(0.15f * y - 0.1f * x);

        Assert.Equal("SRVGGNetCompact", model.ArchitectureId);
        Assert.Equal(1_213_296, model.ParameterCount);
        Assert.Equal("32", model.Hyperparameters["num_conv"]);
        Assert.Equal("64", model.Hyperparameters["num_feat"]);
        Assert.InRange(PthFixtures.MaxAbsDifference(OnnxRunner.Run(export, input), OnnxRunner.Run(model.OnnxModel, input)), 0, Tolerance);
    }

    [Fact]
    public void An_unknown_network_is_refused_listing_its_keys()
    {
        var e = Assert.Throws<ModelException>(() => PthModel.Load(PthFixtures.File("tensors.pth")));

        Assert.Equal("tensors.pth: no supported architecture matches its tensors (keys: f32, transposed, offset, f16, f64, bf16, scalar; " +
            "supported: RRDBNet, SRVGGNetCompact)", e.Message);
    }

    [Fact]
    public void Tensors_the_detected_network_does_not_use_are_refused()
    {
        var sd = PthCheckpoint.Load(PthFixtures.File("rrdbnet_x4.pth"));
        var extra = new StateDict(sd.File, sd.Append(KeyValuePair.Create("conv_extra.weight", new WeightTensor([1f], [1]))));

        var e = Assert.Throws<ModelException>(() => ArchitectureRegistry.Default.Load(extra, "m", "m.pth"));

        Assert.Equal("rrdbnet_x4.pth: 1 tensors are not part of RRDBNet as detected (conv_extra.weight)", e.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        var sd = PthCheckpoint.Load(PthFixtures.File("srvgg_x2.pth"));
        var wrong = new StateDict(sd.File, sd.Select(p => p.Key == "body.3.weight" ? KeyValuePair.Create(p.Key, new WeightTensor(new float[15], [15])) : p));

        var e = Assert.Throws<ModelException>(() => ArchitectureRegistry.Default.Load(wrong, "m", "m.pth"));

        Assert.Equal("srvgg_x2.pth: tensor 'body.3.weight' has shape [15]; SRVGGNetCompact needs [16]", e.Message);
    }

    [Fact]
    public void Key_conditions_combine()
    {
        var sd = new StateDict("t.pth", [KeyValuePair.Create("a", new WeightTensor([0f], [1])), KeyValuePair.Create("b", new WeightTensor([0f], [1]))]);

        Assert.True(KeyCondition.HasAll("a", "b").Matches(sd));
        Assert.False(KeyCondition.HasAll("a", "c").Matches(sd));
        Assert.True(KeyCondition.HasAny("c", "b").Matches(sd));
        Assert.False(KeyCondition.HasAny("c", "d").Matches(sd));
        Assert.True(KeyCondition.HasAll("a", KeyCondition.HasAny("c", "b")).Matches(sd));
        Assert.True(KeyCondition.HasAll().Matches(sd));
        Assert.False(KeyCondition.HasAny().Matches(sd));
    }

    private static int[] Shape(JsonElement meta, string key) => [.. meta.GetProperty(key).EnumerateArray().Select(e => e.GetInt32())];
}
