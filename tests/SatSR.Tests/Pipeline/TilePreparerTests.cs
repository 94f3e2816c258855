using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Planning;
using SatSR.Pipeline.Stages;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Tiling;

namespace SatSR.Tests.Pipeline;

public class TilePreparerTests
{
    /// <summary>
    /// A model that takes only multiples of 4 (an unshuffling RRDBNet ×2 does) gets a 3×2 tile as a 4×4 tensor. The
    /// padding repeats the last column and the last row (edge replication, as for the image edge), so the network
    /// sees no artificial black edge beside the tile's last pixels; zeros there would darken its outputs at the edge.
    /// </summary>
    [Fact]
    public void A_tile_smaller_than_the_tensor_is_padded_by_repeating_its_last_row_and_column()
    {
        var plan = TilePlan.Create(3, 2, 64, 0, new SizeRequirements(Minimum: 4, MultipleOf: 4));
        Assert.Equal((4, 4), (plan.TensorWidth, plan.TensorHeight));
        var scheduled = new ScheduledTile(0, plan.Tiles.Single(), true);
        // Band 1 over 0..100: values 10 20 30 / 40 50 60.
        var buffers = new BufferOwner();
        var (values, valid) = (buffers.Pool<double>(6).Rent(), buffers.Pool<byte>(6).Rent());
        double[] samples = [10, 20, 30, 40, 50, 60];
        samples.CopyTo(values.Array);
        valid.Array.AsSpan().Fill(255);
        using var preparer = new TilePreparer(new BandSelection([1], [[1]], []), [new BandScale(new BandRange(0, 100), new BandRange(0, 100))],
            3, 4, 4, buffers.Pool<float>(3 * 4 * 4), buffers);
        using var prepared = preparer.Prepare(new ReadTile(scheduled, values, valid));

        // By hand: each row ends with its last value again; the last two rows repeat the tile's last row.
        float[] expected =
        [
            0.1f, 0.2f, 0.3f, 0.3f,
            0.4f, 0.5f, 0.6f, 0.6f,
            0.4f, 0.5f, 0.6f, 0.6f,
            0.4f, 0.5f, 0.6f, 0.6f,
        ];
        var input = Assert.Single(prepared.Inputs);
        for (var k = 0; k < 3; k++)
        {
            for (var i = 0; i < 16; i++) Assert.Equal(expected[i], input.Array[k * 16 + i], 6);
        }
    }
}

public class PaddedTensorTests
{
    /// <summary>
    /// A ×4 pixel repeat declared to take only multiples of 4 (as an unshuffling RRDBNet does): 16-pixel cores with 3
    /// of overlap read 22×22, which the engine pads to 24×24, so its output rows are 96 values apart while only the
    /// first 88 of each belong to the tile. Every output pixel of the RGB crop must still be its input pixel (the
    /// input read with GDAL, repeated 4×4 by hand): a row taken at the wrong stride lands on the next rows' values.
    /// </summary>
    [Fact]
    public void An_rgb_tile_padded_to_the_tensor_shape_keeps_its_own_output_rows()
    {
        using var dir = new SatSR.Tests.Models.TempFolder();
        const int w = 30, h = 22;
        var input = TestRasters.Crop("cbers_rgb342_20m.tif", new Window(400, 400, w, h), dir.File("in.tif"));
        var model = TestModels.PixelRepeat with { SizeRequirements = new SizeRequirements(Minimum: 4, MultipleOf: 4) };
        var result = Upscaler.Run(new UpscaleOptions
        {
            InputPath = input,
            OutputPath = dir.File("out.tif"),
            Model = model,
            Device = SatSR.Inference.ExecutionDevice.Cpu,
            TileSize = 16,
            Overlap = 3,
        });
        var source = TestRasters.ReadAll(input, out var p);
        Assert.Equal(3, p.BandCount);
        var output = TestRasters.ReadAll(result.OutputPath, out var q);
        Assert.Equal((4 * w, 4 * h), (q.Width, q.Height));
        for (var b = 0; b < 3; b++)
            for (var y = 0; y < 4 * h; y++)
                for (var x = 0; x < 4 * w; x++)
                {
                    var expected = source[b * w * h + y / 4 * w + x / 4];
                    var actual = output[b * 16 * w * h + y * 4 * w + x];
                    if (expected != actual) Assert.Fail($"band {b + 1} output ({x}, {y}): {actual}, not input ({x / 4}, {y / 4}) = {expected}");
                }
    }
}
