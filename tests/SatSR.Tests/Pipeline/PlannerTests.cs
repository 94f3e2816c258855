using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Sharding;
using SatSR.Pipeline.Planning;
using SatSR.Pixels;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Tests.Pipeline;

/// <summary>
/// The planner decides a job from values alone: no file is read and no network runs here, so each decision is checked
/// against figures worked out by hand from the options, the input's header and the network's scale.
/// </summary>
public class PlannerTests
{
    private static readonly ModelDescriptor Compact = new("compact", "SRVGGNetCompact", 4, 3, 3, SizeRequirements.Any, [], 0, "test", NetworkFootprint.Compact);

    private static RasterProfile Image(int width, int height, int bands = 1) => new()
    {
        Width = width,
        Height = height,
        DataType = RasterDataType.Byte,
        Bands = [.. Enumerable.Repeat(new BandInfo("", bands == 1 ? ColorInterpretation.Gray : ColorInterpretation.Undefined, null, MaskFlags.AllValid), bands)],
    };

    private static InputFacts Input(RasterProfile profile, string identity = "input a") =>
        new(profile, 0, [.. Enumerable.Repeat(new BandScale(BandRange.Byte, BandRange.Byte), profile.BandCount)], identity);

    private static readonly MachineFacts Machine = new(ExecutionDevice.Cpu, 2, 1L << 30);

    private static UpscaleOptions Options(ModelDescriptor? model = null) => new() { InputPath = "/data/in.tif", OutputPath = "/data/out.tif", Model = model ?? Compact };

    private static UpscaleJob Plan(UpscaleOptions options, RasterProfile profile, int networkScale = 4, MachineFacts? machine = null) =>
        Planner.Plan(options, Input(profile), new NetworkFacts(networkScale, 3, 3), machine ?? Machine);

    [Fact]
    public void The_scale_is_the_networks_when_none_is_asked()
    {
        var job = Plan(Options(Compact with { Scale = null }), Image(300, 200), networkScale: 2);
        Assert.Equal((2, 600, 400, false), (job.Scale, job.Width, job.Height, job.Resampled));
        Assert.Equal((FileRole.Output, FileRole.Output), (job.Stage, job.Streamed));
        Assert.Equal("/data/out.tif", job.OutputPath);
        Assert.Equal((600, 400), (job.StageProfile.Width, job.StageProfile.Height));
    }

    [Fact]
    public void A_fractional_outscale_runs_the_network_at_the_next_integer_and_resamples_to_the_rounded_size()
    {
        // 2.5 → the network at ×3 (≤ its ×4); 301·2.5 = 752.5 → 753 (half away from zero), 200·2.5 = 500.
        var job = Plan(Options() with { OutScale = 2.5 }, Image(301, 200));
        Assert.Equal((3, 753, 500, true), (job.Scale, job.Width, job.Height, job.Resampled));
        Assert.Equal((FileRole.IntegerScale, FileRole.Output, false), (job.Stage, job.Streamed, job.Copied));
        Assert.Equal((903, 600), (job.StageProfile.Width, job.StageProfile.Height));
        Assert.Equal((753, 500), (job.OutputProfile.Width, job.OutputProfile.Height));
    }

    [Fact]
    public void An_outscale_beyond_the_model_runs_the_network_at_its_own_scale()
    {
        var job = Plan(Options() with { OutScale = 6 }, Image(100, 100), networkScale: 4);
        Assert.Equal((4, 600, 600, true), (job.Scale, job.Width, job.Height, job.Resampled));
    }

    [Fact]
    public void A_cog_is_streamed_beside_the_output_and_copied_once()
    {
        var plain = Plan(Options() with { Format = OutputFormat.Cog }, Image(100, 100));
        Assert.Equal((FileRole.CopySource, FileRole.CopySource, true), (plain.Stage, plain.Streamed, plain.Copied));
        var resampled = Plan(Options() with { Format = OutputFormat.Cog, OutScale = 1.5 }, Image(100, 100));
        Assert.Equal((FileRole.IntegerScale, FileRole.CopySource, true), (resampled.Stage, resampled.Streamed, resampled.Copied));
    }

    [Fact]
    public void A_geotiff_with_an_option_gdal_applies_only_when_creating_is_streamed_losslessly_and_copied()
    {
        var job = Plan(Options() with { CreationOptions = new Dictionary<string, string> { ["COMPRESS"] = "ZSTD", ["zstd_level"] = "19" } }, Image(100, 100));
        Assert.Equal((FileRole.CopySource, FileRole.CopySource, true), (job.Stage, job.Streamed, job.Copied));
        Assert.Equal(("GTiff", "19", "ZSTD", "YES"), (job.Encoding.Driver, job.Encoding.Copy!["ZSTD_LEVEL"], job.Encoding.Copy["COMPRESS"], job.Encoding.Copy["COPY_SRC_OVERVIEWS"]));
        Assert.Equal("DEFLATE", job.Encoding.Streamed["COMPRESS"]);
        Assert.False(job.Encoding.Streamed.ContainsKey("ZSTD_LEVEL"));
        Assert.True(Planner.Redoable(job.Options));
        // JPEG_QUALITY is recovered from the file's JPEG tables in update mode: no copy needed.
        var jpeg = Plan(Options() with { CreationOptions = new Dictionary<string, string> { ["COMPRESS"] = "JPEG", ["JPEG_QUALITY"] = "50" } }, Image(100, 100));
        Assert.Equal((FileRole.Output, false), (jpeg.Stage, jpeg.Copied));
    }

    [Fact]
    public void A_scale_above_the_networks_is_refused()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => Plan(Options(Compact with { Scale = null }) with { Scale = 4 }, Image(64, 64), networkScale: 2));
        Assert.Contains("×2", e.Message);
    }

    [Fact]
    public void A_network_of_other_than_one_or_three_channels_is_refused()
    {
        var e = Assert.Throws<InvalidOptionsException>(() => Planner.Plan(Options(), Input(Image(64, 64)), new NetworkFacts(4, 4, 4), Machine));
        Assert.Contains("4 channels", e.Message);
    }

    [Fact]
    public void An_output_beyond_what_a_geotiff_holds_is_refused()
    {
        // 600,000,000 · 4 > 2³¹ − 1.
        var e = Assert.Throws<InvalidOptionsException>(() => Plan(Options() with { TileSize = 512 }, Image(600_000_000, 1)));
        Assert.Contains("/data/in.tif", e.Message);
    }

    [Fact]
    public void A_shard_writes_its_part_file_without_overviews_or_a_cog_copy()
    {
        var job = Plan(Options() with { Format = OutputFormat.Cog, Shard = new Shard(1, 3), TileSize = 128 }, Image(1000, 1000));
        Assert.Equal("/data/out.part-01-of-03.tif", job.OutputPath);
        Assert.Equal((FileRole.Output, FileRole.Output, false), (job.Stage, job.Streamed, job.Copied));
        Assert.Empty(job.Overviews);
        Assert.NotNull(job.Part);
        // The part's rows are the shard's and its profile is theirs alone; the whole output's overviews are merge's to build.
        Assert.Equal(job.Rows, job.Part!.Rows);
        Assert.Equal(job.Rows.To - job.Rows.From, job.OutputProfile.Height);
        Assert.True(job.Rows.From > 0 && job.Rows.To < 4000);
        Assert.Equal([2, 4, 8, 16], job.Part.Overviews);
    }

    [Fact]
    public void A_whole_run_gets_overviews_down_to_256_pixels()
    {
        // 1000·4 = 4000: levels while 4000 > 256·(f/2): 2, 4, 8, 16 (16: 4000 > 2048), not 32 (4000 ≤ 4096).
        Assert.Equal([2, 4, 8, 16], Plan(Options(), Image(1000, 1000)).Overviews);
    }

    [Fact]
    public void Test_time_augmentation_makes_the_tensor_square()
    {
        // 100×40 in one tile with 24 px overlap clipped at the edges: the read window is the whole image.
        var plain = Plan(Options(), Image(100, 40));
        Assert.Equal((40, 100), (plain.TensorHeight, plain.TensorWidth));
        var turned = Plan(Options() with { Tta = true }, Image(100, 40));
        Assert.Equal((100, 100), (turned.TensorHeight, turned.TensorWidth));
    }

    [Fact]
    public void A_shards_default_tile_does_not_depend_on_the_machine()
    {
        var options = Options() with { Shard = new Shard(0, 4) };
        var small = Plan(options, Image(6000, 6000), machine: new MachineFacts(ExecutionDevice.Cpu, 2, 64L << 20));
        var large = Plan(options, Image(6000, 6000), machine: new MachineFacts(ExecutionDevice.Cpu, 64, 64L << 30));
        Assert.Equal(small.Plan.TileSize, large.Plan.TileSize);
        // A whole run's does: less memory, a smaller tile.
        var whole = Options();
        Assert.True(Plan(whole, Image(6000, 6000), machine: new MachineFacts(ExecutionDevice.Cpu, 2, 64L << 20)).Plan.TileSize
            < Plan(whole, Image(6000, 6000), machine: new MachineFacts(ExecutionDevice.Cpu, 2, 64L << 30)).Plan.TileSize);
    }

    [Fact]
    public void The_default_batch_and_workers_follow_the_device_and_cores()
    {
        var cpu = Plan(Options() with { TileSize = 64 }, Image(100, 100), machine: new MachineFacts(ExecutionDevice.Cpu, 16, 1L << 30));
        Assert.Equal((1, 4), (cpu.Batch, cpu.Workers));
        var gpu = Plan(Options() with { TileSize = 64 }, Image(100, 100), machine: new MachineFacts(ExecutionDevice.Cuda, 2, 1L << 30));
        Assert.Equal((4, 2), (gpu.Batch, gpu.Workers));
        var asked = Plan(Options() with { TileSize = 64, Batch = 3, Threads = 1 }, Image(100, 100));
        Assert.Equal((3, 1), (asked.Batch, asked.Workers));
    }

    [Fact]
    public void Three_bands_go_to_a_three_channel_network_together_and_a_fourth_alone()
    {
        var job = Plan(Options() with { TileSize = 64 }, Image(100, 100, bands: 4));
        Assert.Equal([[1, 2, 3], [4]], job.Bands.Groups);
        Assert.Equal(4, job.Encoders.Length);
    }

    [Fact]
    public void The_fingerprint_changes_with_the_input_the_scale_and_pixel_options_but_not_with_speed_options()
    {
        var profile = Image(500, 500);
        string Of(UpscaleOptions o, string identity = "input a", int scale = 4) =>
            Planner.Plan(o, Input(profile, identity), new NetworkFacts(scale, 3, 3), Machine).Fingerprint;
        var options = Options() with { TileSize = 128 };
        var reference = Of(options);
        Assert.Equal(reference, Of(options with { Threads = 1, Batch = 2, QueueDepth = 5, Overwrite = true }));
        Assert.NotEqual(reference, Of(options, identity: "input b"));
        Assert.NotEqual(reference, Of(options with { Scale = 2 }));
        Assert.NotEqual(reference, Of(options with { TileSize = 160 }));
        Assert.NotEqual(reference, Of(options with { Blend = SatSR.Tiling.BlendMode.HardCrop }));
    }

    [Fact]
    public void Planning_reads_no_file_and_runs_no_network()
    {
        // The room's sources name none of the types that reach GDAL or ONNX Runtime.
        var folder = Path.Combine(LayeringTests.SourceRoot(), "Pipeline", "Planning");
        foreach (var file in Directory.GetFiles(folder, "*.cs"))
        {
            var text = File.ReadAllText(file);
            foreach (var native in new[] { "RasterDataset", "InferenceEngine", "InferenceSession", "OrtValue", "Gdal.", "File.", "Directory." })
            {
                Assert.False(text.Contains(native, StringComparison.Ordinal), $"{Path.GetFileName(file)} uses {native}");
            }
        }
    }

    [Fact]
    public void Colour_and_panchromatic_of_the_same_pixels_get_the_same_tile()
    {
        // Issue 33's case: a 1024² crop, default options, a 2-core machine with 23 GiB (a quarter of it the budget). The
        // network computes the same for both (a panchromatic band goes in as grey RGB), so the tile must not shrink for
        // colour: it was 4 tiles against 1 when the three predicted bands were counted besides the network's planes.
        var machine = new MachineFacts(ExecutionDevice.Cpu, 2, (23L << 30) / 4);
        var pan = Plan(Options(), Image(1024, 1024, bands: 1), machine: machine);
        var rgb = Plan(Options(), Image(1024, 1024, bands: 3), machine: machine);
        Assert.Equal(pan.Plan.TileSize, rgb.Plan.TileSize);
    }
}
