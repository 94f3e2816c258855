using Microsoft.ML.OnnxRuntime.Tensors;
using SatSR.Models;
using SatSR.Models.Ncnn;
using SatSR.Models.Zoo;

namespace SatSR.Tests.Models;

public class NcnnModelTests
{
    private static readonly string Param = NcnnParamTests.Fixture("realesr-general-x4v3.param");
    private static readonly string Bin = NcnnParamTests.Fixture("realesr-general-x4v3.bin");

    [Fact]
    public void Describes_the_general_x4v3_network_from_its_graph()
    {
        var model = NcnnModel.Load(Param);

        Assert.Equal("ncnn", model.ArchitectureId);
        Assert.Equal(4, model.Scale);
        Assert.Equal(3, model.InputChannels);
        Assert.Equal(3, model.OutputChannels);
        Assert.Equal(1_213_296, model.ParameterCount);   // the official SRVGGNetCompact count
    }

    [Fact]
    public void Computes_what_the_pytorch_export_computes()
    {
        var input = TownCrop(64);

        var ncnn = OnnxRunner.Run(NcnnModel.Load(Param).OnnxModel, input);
        using var cache = new TempFolder();
        var pytorch = OnnxRunner.Run(new ModelZoo(cache.Path).Resolve("realesr-general-x4v3").OnnxModel, input);

        Assert.Equal(pytorch.Dimensions.ToArray(), ncnn.Dimensions.ToArray());
        Assert.Equal([1, 3, 256, 256], ncnn.Dimensions.ToArray());
        var psnr = Psnr(ncnn, pytorch);
        Assert.True(psnr >= 50, $"PSNR {psnr:F1} dB");   // in fact bit-identical: the .onnx was made from these weights
    }

    [Theory]
    [InlineData(-100, "realesr-general-x4v3.bin: 2435172 bytes, but realesr-general-x4v3.param needs at least 2435272")]
    [InlineData(4, "realesr-general-x4v3.bin: 2435276 bytes, but realesr-general-x4v3.param describes exactly 2435272")]
    public void A_bin_of_the_wrong_size_is_refused(int change, string expected)
    {
        using var folder = new TempFolder();
        var bin = File.ReadAllBytes(Bin);
        File.Copy(Param, folder.File("realesr-general-x4v3.param"));
        File.WriteAllBytes(folder.File("realesr-general-x4v3.bin"), change < 0 ? bin[..^-change] : [.. bin, .. new byte[change]]);

        var e = Assert.Throws<ModelException>(() => NcnnModel.Load(folder.File("realesr-general-x4v3.param")));

        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("0=64 1=3 4=1 5=1 6=1728", "0=1000000000 1=3 4=1 5=1 6=1728", "needs at least 4002435016")]
    [InlineData("0=64 1=3 4=1 5=1 6=1728", "0=64 1=3 4=1 5=1 6=2000000000", "needs at least 4002431816")]
    [InlineData("0=64 1=3 4=1 5=1 6=1728", "0=64 1=3 4=1 5=1 6=1728 3=1000", "stride_w 1000 is not between 1 and 64")]
    [InlineData("PixelShuffle     DepthToSpace_67          1 1 234 235 0=4", "Noop DepthToSpace_67 1 1 234 235", "layer 'DepthToSpace_67' (Noop): this layer type is not supported")]
    [InlineData("Input            input.1                  0 1 data", "Input input.1 0 1 data 2=4", "weight_data_size 1728 is not 64×4×3×3")]
    public void Wrong_params_are_refused_before_anything_big_is_allocated(string line, string replacement, string expected)
    {
        using var folder = new TempFolder();
        var text = File.ReadAllText(Param);
        Assert.Contains(line, text);
        File.WriteAllText(folder.File("m.param"), text.Replace(line, replacement));
        File.Copy(Bin, folder.File("m.bin"));

        var e = Assert.Throws<ModelException>(() => NcnnModel.Load(folder.File("m.param")));

        Assert.StartsWith("m.", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>
    /// A size×size crop of the town's street grid, the pan band as grey RGB in 0..1. The fixture is an
    /// uncompressed 256×256 Byte GeoTIFF whose strips lie back to back at the end of the file (tiffinfo), so its
    /// last 65536 bytes are the pixels, row by row.
    /// </summary>
    private static DenseTensor<float> TownCrop(int size)
    {
        var file = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cbers2b_pan_town_256.tif"));
        var pixels = file.AsSpan(file.Length - 256 * 256);
        var tensor = new DenseTensor<float>([1, 3, size, size]);
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    tensor[0, c, y, x] = pixels[(96 + y) * 256 + 96 + x] / 255f;
        return tensor;
    }

    /// <summary>PSNR in dB of two images in 0..1, clamped as the pipeline clamps them.</summary>
    private static double Psnr(DenseTensor<float> a, DenseTensor<float> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Clamp(a.Buffer.Span[i], 0, 1) - Math.Clamp(b.Buffer.Span[i], 0, 1);
            sum += d * d;
        }

        return 10 * Math.Log10(a.Length / sum);
    }
}
