using SatSR.Models;
using SatSR.Models.Ncnn;

namespace SatSR.Tests.Models;

public class NcnnParamTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", name);

    [Fact]
    public void Reads_the_general_x4v3_graph()
    {
        var layers = NcnnParam.Load(Fixture("realesr-general-x4v3.param"));

        Assert.Equal(72, layers.Count);
        Assert.Equal(["Input", "Split", "Convolution", "PReLU"], layers.Take(4).Select(l => l.Type));
        var conv = layers[2];
        Assert.Equal(["input_splitncnn_1"], conv.Inputs);
        Assert.Equal(["102"], conv.Outputs);
        Assert.Equal(64, conv.Int(0, 0));
        Assert.Equal(1728, conv.Int(6, 0));
        Assert.Equal(3, conv.Int(11, conv.Int(1, 0)));   // kernel_h falls back to kernel_w, as in ncnn
        var interp = layers.Single(l => l.Type == "Interp");
        Assert.Equal(4f, interp.Float(1, 1));
        Assert.Equal(["235", "240"], layers[^1].Inputs);
    }

    [Fact]
    public void Array_params_are_stored_under_their_plain_key()
    {
        var layers = NcnnParam.Parse("""
            7767517
            2 2
            Input in 0 1 data
            Convolution conv 1 1 data out 0=8 1=3 9=2 -23310=1,2.000000e-01 -23301=2,0.5,1
            """, "t.param");

        Assert.Equal([0.2f], layers[1].Floats(10));
        Assert.Equal([0.5f, 1f], layers[1].Floats(1));
        Assert.Empty(layers[1].Floats(2));
    }

    [Theory]
    [InlineData("7767518\n1 1\nInput in 0 1 data", "does not start with 7767517")]
    [InlineData("7767517\n2 2\nInput in 0 1 data", "ends early")]
    [InlineData("7767517\n1 2\nReLU r 1 1 data out", "reads blob 'data' that no earlier layer produces")]
    [InlineData("7767517\n2 1\nInput in 0 1 data\nReLU r 1 1 data data", "produces blob 'data' a second time")]
    [InlineData("7767517\n1 1\nInput in 0 1 data -23310=3,1,2", "does not have the count it announces")]
    [InlineData("7767517\n1 1\nInput in 0 1 data 40=1", "out of range")]
    [InlineData("7767517\n1 1\nInput in 0 1 data 0=1.5", "must be an integer")]
    [InlineData("7767517\n1000000000 1\n", "layer count '1000000000' is not a count")]
    public void Broken_files_fail_with_one_line_naming_the_file(string text, string expected)
    {
        var e = Assert.Throws<ModelException>(() => NcnnParam.Parse(text, "broken.param")[0].Int(0, 0));

        Assert.StartsWith("broken.param: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
