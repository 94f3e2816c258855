using SatSR.Geometry;
using SatSR.Models;
using SatSR.Models.Onnx;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Radiometry;
using SatSR.Raster;
using SatSR.Tests.Models;
using SatSR.Tiling;

namespace SatSR.Tests.Pipeline;

public class ConsistencyFigureTests
{
    /// <summary>
    /// ×4 pixel repeat followed by a 3×3 box blur (zero-padded, as the networks' convolutions are): not consistent at
    /// block edges, never outside the input's min..max once the input holds a 0, and darkest at the edges of its
    /// tensor, that is of each tile's read window.
    /// </summary>
    private static byte[] BlurredRepeatX4()
    {
        var g = new OnnxGraphBuilder("blurred-x4");
        var up = g.ResizeNearest(g.Input("input", 3), 4, "up");
        var w = new float[3 * 3 * 9];
        for (var c = 0; c < 3; c++)
            for (var k = 0; k < 9; k++) w[(c * 3 + c) * 9 + k] = 1f / 9;
        g.Conv(up, g.Initializer("w", w, 3, 3, 3, 3), null, 3, "output");
        g.Output("output", 3);
        return g.ToBytes();
    }

    /// <summary>
    /// The network's consistency figure counts every input pixel once, from the tile whose core holds it. With hard-crop
    /// blending each output pixel is exactly that tile's prediction, and a Float32 file stores it unrounded, so the
    /// figure must be the PSNR measured here on the written file: each 4×4 block's mean against its input pixel, in
    /// the --range 0..255 unit. Pixels of a tile's overlap (darkened at its read edge by the zero padding) belong to
    /// their neighbour's core and must not count.
    /// </summary>
    [Fact]
    public void The_networks_consistency_figure_counts_each_input_pixel_once_from_its_core()
    {
        using var dir = new TempFolder();
        const int w = 48, h = 40;
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, w, h), dir.File("in.tif"),
            p => p with { DataType = RasterDataType.Float32 });
        TestRasters.Edit(input, (_, x, y, v) => x == 0 && y == 0 ? 0 : v); // the valid minimum 0: nothing the blur gives is clamped
        var model = new ModelDescriptor("blurred-x4", "Test", 4, 3, 3, SizeRequirements.Any, BlurredRepeatX4(), 81, "test", NetworkFootprint.OfGraph(BlurredRepeatX4()));
        var result = Upscaler.Run(new UpscaleOptions
        {
            InputPath = input,
            OutputPath = dir.File("out.tif"),
            Model = model,
            Device = SatSR.Inference.ExecutionDevice.Cpu,
            TileSize = 16,
            Overlap = 2,
            Blend = BlendMode.HardCrop,
            Ranges = [new RangeOverride(null, 0, 255)],
        });

        var source = TestRasters.ReadAll(input, out _);
        var output = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal(RasterDataType.Float32, q.DataType);
        double sum = 0;
        for (var b = 0; b < 3; b++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    double block = 0;
                    for (var dy = 0; dy < 4; dy++)
                        for (var dx = 0; dx < 4; dx++) block += output[b * 16 * w * h + (4 * y + dy) * 4 * w + 4 * x + dx];
                    var d = (block / 16 - source[b * w * h + y * w + x]) / 255;
                    sum += d * d;
                }
        var expected = 10 * Math.Log10(3 * w * h / sum);
        Assert.InRange(expected, 20, 60); // neither exact nor far off: a figure worth comparing
        Assert.Equal(expected, result.ConsistencyBefore, 3);
    }
}
