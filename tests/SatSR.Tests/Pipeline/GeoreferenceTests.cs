using SatSR.Geometry;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Raster;

namespace SatSR.Tests.Pipeline;

/// <summary>Sensor-model georeference (RPCs, GCPs) survives the upscale: every ground point lands at s× its input position.</summary>
public class GeoreferenceTests
{
    private static UpscaleOptions Options(string input, string outputPath) => new()
    {
        InputPath = input,
        OutputPath = outputPath,
        Model = TestModels.GeneralX4,
        Device = SatSR.Inference.ExecutionDevice.Cpu,
    };

    /// <summary>
    /// A plausible RPC set for a 32×32 image near Recife: line follows latitude, sample longitude, with cross,
    /// height and quadratic terms so the model is not a plain affine map.
    /// </summary>
    private static readonly string[] Rpc =
    [
        "LINE_OFF=15.5", "SAMP_OFF=16.25", "LAT_OFF=-8.05", "LONG_OFF=-34.9", "HEIGHT_OFF=20",
        "LINE_SCALE=16", "SAMP_SCALE=16.5", "LAT_SCALE=0.003", "LONG_SCALE=0.003", "HEIGHT_SCALE=100",
        "LINE_NUM_COEFF=0.001 0.02 -1.01 0.01 0.003 0 0.002 -0.001 0 0 0 0 0 0 0 0 0 0 0 0",
        "LINE_DEN_COEFF=1 0.001 -0.002 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "SAMP_NUM_COEFF=-0.002 0.99 0.03 -0.02 0.001 0.004 0 0 0.001 0 0 0 0 0 0 0 0 0 0 0",
        "SAMP_DEN_COEFF=1 0 0.001 0.0005 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "MIN_LONG=-34.91", "MIN_LAT=-8.06", "MAX_LONG=-34.89", "MAX_LAT=-8.04",
    ];

    /// <summary>
    /// Through GDAL's RPC transformer a ground point lands at the real factors × its input position: ×4 with the
    /// model's scale; with --outscale 2.3 on 32×30 pixels the output is 74×69, factors 74/32 = 2.3125 and 69/30 = 2.3.
    /// </summary>
    [Theory]
    [InlineData(32, null, 128, 128)]
    [InlineData(30, 2.3, 74, 69)]
    public void Rpc_ground_points_land_at_the_real_factors_times_their_input_position(int rows, double? outscale, int width, int height)
    {
        var dir = TestFiles.TempDir();
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 100, 32, rows), Path.Combine(dir, "in.tif"), p => p with
        {
            Transform = null,
            Projection = null,
            Metadata = new Dictionary<string, IReadOnlyList<string>> { ["RPC"] = Rpc },
        });
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")) with { OutScale = outscale });
        Assert.Equal((width, height), (result.Width, result.Height));
        double fx = width / 32.0, fy = height / (double)rows;

        using var src = RasterDataset.Open(input);
        using var dst = RasterDataset.Open(result.OutputPath);
        using var before = RpcTransformer.For(src);
        using var after = RpcTransformer.For(dst);
        foreach (var (lon, lat, h) in new[] { (-34.9, -8.05, 20.0), (-34.902, -8.047, 0.0), (-34.8985, -8.0522, 95.0), (-34.9011, -8.0539, -30.0) })
        {
            var (pixel, line) = before.ToImage(lon, lat, h);
            var (pixelOut, lineOut) = after.ToImage(lon, lat, h);
            Assert.InRange(pixelOut - fx * pixel, -0.001, 0.001);
            Assert.InRange(lineOut - fy * line, -0.001, 0.001);
        }
        // The corner convention: at the offsets' ground point the RPC gives (SAMP_OFF + c₀·SAMP_SCALE, …) in
        // pixel-centre coordinates; GDAL returns them +0.5.
        var (p0, l0) = before.ToImage(-34.9, -8.05, 20);
        Assert.Equal(16.25 - 0.002 * 16.5 + 0.5, p0, 1e-9);
        Assert.Equal(15.5 + 0.001 * 16 + 0.5, l0, 1e-9);
    }

    [Fact]
    public void Gcps_are_scaled_and_keep_their_projection()
    {
        var dir = TestFiles.TempDir();
        using var fixture = RasterDataset.Open(TestFiles.Fixture("cbers2b_pan_town_256.tif"));
        var wkt = fixture.Profile.Projection;
        Assert.NotNull(wkt);
        Gcp[] gcps =
        [
            new("1", "", 0, 0, 290000, 9110000, 0), new("2", "", 32, 0, 290640, 9110010, 0),
            new("3", "", 0, 32, 289990, 9109360, 0), new("4", "", 17.5, 12.25, 290352, 9109757, 12),
        ];
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 100, 32, 32), Path.Combine(dir, "in.tif"),
            p => p with { Transform = null, Projection = null, Gcps = gcps, GcpProjection = wkt });
        var result = Upscaler.Run(Options(input, Path.Combine(dir, "out.tif")));

        using var src = RasterDataset.Open(input);
        using var dst = RasterDataset.Open(result.OutputPath);
        Assert.Null(dst.Profile.Transform);
        Assert.Equal(src.Profile.GcpProjection, dst.Profile.GcpProjection);
        Assert.Equal(src.Profile.Gcps.Select(g => g with { Pixel = g.Pixel * 4, Line = g.Line * 4 }), dst.Profile.Gcps);
        Assert.Equal(4, dst.Profile.Gcps.Count);
    }

    /// <summary>
    /// --outscale 2.3 on 32×30 pixels makes 74×69: 2.3125 across and 2.3 down, so each GCP's pixel and line scale by
    /// their own axis' factor (values worked out by hand; one factor for both would put the line of (17.5, 12.25) at
    /// 28.328125 or the pixel at 40.25).
    /// </summary>
    [Fact]
    public void Gcps_scale_by_each_axis_factor_under_a_non_square_outscale()
    {
        using var dir = new SatSR.Tests.Models.TempFolder();
        using var fixture = RasterDataset.Open(TestFiles.Fixture("cbers2b_pan_town_256.tif"));
        Gcp[] gcps =
        [
            new("1", "", 0, 0, 290000, 9110000, 0), new("2", "", 32, 0, 290640, 9110010, 0),
            new("3", "", 0, 30, 289990, 9109400, 0), new("4", "", 17.5, 12.25, 290352, 9109757, 12),
        ];
        var input = TestRasters.Crop("cbers2b_pan_town_256.tif", new Window(100, 100, 32, 30), dir.File("in.tif"),
            p => p with { Transform = null, Projection = null, Gcps = gcps, GcpProjection = fixture.Profile.Projection });
        var result = Upscaler.Run(Options(input, dir.File("out.tif")) with { OutScale = 2.3 });
        Assert.Equal((74, 69), (result.Width, result.Height));

        using var dst = RasterDataset.Open(result.OutputPath);
        Assert.Equal(new (double, double)[] { (0, 0), (74, 0), (0, 69), (40.46875, 28.175) }, dst.Profile.Gcps.Select(g => (g.Pixel, g.Line)),
            (a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-9 && Math.Abs(a.Item2 - b.Item2) < 1e-9);
        Assert.Equal(gcps.Select(g => (g.X, g.Y, g.Z)), dst.Profile.Gcps.Select(g => (g.X, g.Y, g.Z)));
    }
}
