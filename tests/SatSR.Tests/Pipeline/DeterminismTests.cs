using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Output;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// Same input, model and options → the same pixels, bit for bit, whatever the thread count or tile schedule. This holds without
/// special session settings because ONNX Runtime's CPU kernels (MLAS) share a convolution out between threads by
/// output elements, each summed whole by one thread in a fixed order; a split of the reduction itself (as some GPU
/// convolution algorithms do) would make the last bit depend on the schedule, and these tests would catch it.
/// The stages run concurrently, but every stage hands items on in the order they came, so blending adds the tiles'
/// weighted outputs in plan order whatever the worker count, batch or queue depth.
/// </summary>
public class DeterminismTests
{
    /// <summary>
    /// 96×64 of the town with an irregular nodata footprint (a diagonal edge) and a nodata corner wide enough that some
    /// tiles read only nodata and are skipped; 16-pixel tiles with an 8-pixel halo: 24 tiles.
    /// </summary>
    private static string CropWithNodata(string dir)
    {
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(64, 64, 96, 64), Path.Combine(dir, "crop.tif"));
        TestRasters.Edit(input, (_, x, y, v) => x + 2 * y < 40 || (x >= 48 && y >= 32) ? 0 : Math.Max(1, v));
        return input;
    }

    private static (double[] Pixels, UpscaleResult Result) RunCrop(string dir, string name, int threads, int? batch, int queueDepth)
    {
        var result = Upscaler.Run(TestModels.GeneralX4OnCpu(CropWithNodata(dir), Path.Combine(dir, name)) with
        {
            TileSize = 16,
            Overlap = 8,
            Threads = threads,
            Batch = batch,
            QueueDepth = queueDepth,
        });
        return (TestRasters.ReadAll(result.OutputPath, out _), result);
    }

    private static void AssertIdentical((double[] Pixels, UpscaleResult Result) a, (double[] Pixels, UpscaleResult Result) b)
    {
        Assert.Equal(384 * 256, a.Pixels.Length);
        Assert.True(a.Result.TilesSkipped > 0, "the crop must have tiles of nodata only");
        Assert.Contains(0.0, a.Pixels);
        Assert.True(a.Pixels.Distinct().Count() > 100, "a flat output would compare equal trivially");
        Assert.Equal(a.Result.TilesInferred, b.Result.TilesInferred);
        Assert.Equal(a.Pixels, b.Pixels);
    }

    [Fact]
    public void One_thread_and_the_default_workers_give_identical_pixels_on_a_crop_with_nodata()
    {
        var dir = TestFiles.TempDir();
        AssertIdentical(RunCrop(dir, "one.tif", threads: 1, batch: 1, queueDepth: 2), RunCrop(dir, "default.tif", threads: 0, batch: 1, queueDepth: 2));
    }

    [Fact]
    public void Batches_of_one_and_of_four_tiles_give_identical_pixels_on_a_crop_with_nodata()
    {
        var dir = TestFiles.TempDir();
        var four = RunCrop(dir, "four.tif", threads: 0, batch: 4, queueDepth: 2);
        Assert.Equal(4, four.Result.Batch);
        AssertIdentical(RunCrop(dir, "one.tif", threads: 0, batch: 1, queueDepth: 2), four);
    }

    [Fact]
    public void A_queue_depth_of_one_and_the_default_give_identical_pixels_on_a_crop_with_nodata()
    {
        var dir = TestFiles.TempDir();
        AssertIdentical(RunCrop(dir, "shallow.tif", threads: 0, batch: null, queueDepth: 1), RunCrop(dir, "default.tif", threads: 0, batch: null, queueDepth: 2));
    }

    [Fact]
    public void One_and_two_inference_threads_give_identical_pixels()
    {
        var dir = TestFiles.TempDir();
        // 48×48 of the town's street grid in 16-pixel tiles: 9 tiles, each read with an 8-pixel halo, so every
        // output pixel goes through several convolutions whose work ONNX Runtime splits between threads.
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(96, 96, 48, 48), Path.Combine(dir, "crop.tif"));
        UpscaleOptions Options(string name, int threads) => TestModels.GeneralX4OnCpu(input, Path.Combine(dir, name)) with
        {
            TileSize = 16,
            Overlap = 8,
            Threads = threads,
        };

        var one = TestRasters.ReadAll(Upscaler.Run(Options("one.tif", 1)).OutputPath, out _);
        var two = TestRasters.ReadAll(Upscaler.Run(Options("two.tif", 2)).OutputPath, out _);
        var again = TestRasters.ReadAll(Upscaler.Run(Options("again.tif", 2)).OutputPath, out _);

        Assert.Equal(192 * 192, one.Length);
        Assert.True(one.Distinct().Count() > 100, "a flat output would compare equal trivially");
        Assert.Equal(one, two);
        Assert.Equal(two, again);
    }

    /// <summary>
    /// A small strip budget splits the output into column chunks, so tiles are inferred chunk by chunk instead of row
    /// by row, and the tiles on a chunk border twice: a different schedule, the same pixels.
    /// </summary>
    [Fact]
    public void Another_tile_schedule_gives_identical_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(64, 96, 96, 40), Path.Combine(dir, "crop.tif"));
        var blocks = new Dictionary<string, string> { ["BLOCKXSIZE"] = "128", ["BLOCKYSIZE"] = "128" };
        UpscaleOptions Options(string name, long budget) => TestModels.GeneralX4OnCpu(input, Path.Combine(dir, name)) with
        {
            TileSize = 24,
            Overlap = 8,
            CreationOptions = blocks,
            StripBudgetBytes = budget,
        };
        var rowByRow = Upscaler.Run(Options("rows.tif", 256L << 20));
        var chunked = Upscaler.Run(Options("chunks.tif", 1));

        // Three 128-pixel chunks over the 384-pixel width: the border tiles run once per chunk they touch.
        Assert.True(chunked.TilesInferred > rowByRow.TilesInferred, $"{chunked.TilesInferred} vs {rowByRow.TilesInferred} tiles");
        var a = TestRasters.ReadAll(rowByRow.OutputPath, out _);
        var b = TestRasters.ReadAll(chunked.OutputPath, out _);
        Assert.True(a.Distinct().Count() > 100, "a flat output would compare equal trivially");
        Assert.Equal(a, b);
    }
}

public class EngineDeterminismTests
{
    [Fact]
    public void A_tile_s_output_does_not_depend_on_the_batch_it_runs_in()
    {
        // The same tile alone, and in slot 2 of a batch of three with two other tiles: the same floats, bit for bit.
        var rng = new Random(11);
        var tile = Enumerable.Range(0, 3 * 32 * 32).Select(_ => (float)rng.NextDouble()).ToArray();
        using var single = InferenceEngine.Create(TestModels.GeneralX4, ExecutionDevice.Cpu, 32, 32, 2, batch: 1);
        tile.CopyTo(single.Input);
        single.Run();
        using var batch = InferenceEngine.Create(TestModels.GeneralX4, ExecutionDevice.Cpu, 32, 32, 2, batch: 3);
        for (var i = 0; i < 2 * tile.Length; i++) batch.Input[i] = (float)rng.NextDouble();
        tile.CopyTo(batch.Input[(2 * tile.Length)..]);
        batch.Run();

        var alone = single.Output.ToArray();
        var inBatch = batch.Output.Slice(2 * batch.OutputLength, batch.OutputLength).ToArray();
        Assert.Equal(alone.Length, inBatch.Length);
        Assert.True(alone.Distinct().Count() > 100);
        Assert.Equal(0, alone.Zip(inBatch).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second)));
    }

    [Fact]
    public void The_engine_output_is_bit_identical_for_one_and_two_threads()
    {
        // Below the 8-bit quantisation of the pipeline test: the raw float32 network output itself.
        float[] RunWith(int threads)
        {
            using var engine = InferenceEngine.Create(TestModels.GeneralX4, ExecutionDevice.Cpu, 32, 32, threads);
            var rng = new Random(7);
            for (var i = 0; i < engine.Input.Length; i++) engine.Input[i] = (float)rng.NextDouble();
            engine.Run();
            return engine.Output.ToArray();
        }

        var one = RunWith(1);
        var two = RunWith(2);
        var mismatches = one.Zip(two).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
        Assert.Equal(0, mismatches);
    }
}
