using System.Diagnostics;
using System.Security.Cryptography;
using SatSR.Cli;
using SatSR.Geometry;
using SatSR.Models.Onnx;
using SatSR.Raster;
using Spectre.Console.Testing;

namespace SatSR.Tests.Cli;

/// <summary>
/// The bad-input matrix, end to end through the command line: every broken input, model, option or output place
/// must end with a non-zero exit code, ONE line "error: …" naming the file or option and the problem (no stack
/// trace), and nothing left behind: no output, no OUTPUT.partial, no sidecar.
/// </summary>
public class BadInputTests
{
    private const string Fixture = "geomatrix_rotated.tif";   // 20×20 Byte: the real model runs it in well under a second

    private static async Task<(int Exit, string Error)> Run(params string[] args)
    {
        var console = new TestConsole();
        var error = new TestConsole();
        // Wide enough that Spectre never wraps a long message into a second line: the test is about what we print.
        console.Profile.Width = error.Profile.Width = 4000;
        var exit = await SatsrApp.RunAsync([.. args, "--device", "cpu"], console, error);
        return (exit, error.Output);
    }

    /// <summary>The failure contract; <paramref name="mention"/> are the pieces the line must contain.</summary>
    private static void AssertCleanFailure(int exit, string error, string dir, string[] kept, params string[] mention)
    {
        Assert.NotEqual(0, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("error:", lines[0]);
        Assert.DoesNotContain("unexpected error", lines[0]);     // an unforeseen exception type: the path is not handled
        Assert.DoesNotContain(" at SatSR.", lines[0]);
        foreach (var m in mention) Assert.Contains(m, lines[0]);
        // Only what the test put there: no output, no OUTPUT.partial, no .aux.xml or other sidecar.
        Assert.Equal(kept.Order(), Directory.GetFileSystemEntries(dir).Order());
    }

    private static async Task AssertInputRefused(string input, string dir, params string[] mention)
    {
        var (exit, error) = await Run("upscale", input, Path.Combine(dir, "out.tif"));
        AssertCleanFailure(exit, error, dir, [.. Directory.GetFileSystemEntries(dir).Except([Path.Combine(dir, "out.tif")])], mention);
    }

    // ─── inputs ──────────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task Missing_input()
    {
        var dir = TestFiles.TempDir();
        await AssertInputRefused(Path.Combine(dir, "missing.tif"), dir, "missing.tif", "no such file");
    }

    [Fact]
    public async Task Input_is_a_folder()
    {
        var dir = TestFiles.TempDir();
        var input = Directory.CreateDirectory(Path.Combine(dir, "scene.tif")).FullName;
        await AssertInputRefused(input, dir, "scene.tif", "is a folder");
    }

    [Fact]
    public async Task Empty_input_file()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "empty.tif");
        File.WriteAllBytes(input, []);
        await AssertInputRefused(input, dir, "empty.tif", "empty");
    }

    [Fact]
    public async Task Truncated_tiff()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "half.tif");
        var bytes = File.ReadAllBytes(TestFiles.Fixture("landsat8_b4_int16_nodata.tif"));
        File.WriteAllBytes(input, bytes[..(bytes.Length / 2)]);
        await AssertInputRefused(input, dir, "half.tif", "truncated or corrupt");
    }

    [Fact]
    public async Task Tiff_with_a_corrupt_strip()
    {
        var dir = TestFiles.TempDir();
        // A DEFLATE copy of the Landsat 8 crop (one strip), then 64 bytes of 0xFF in the middle of that strip: the
        // header and directory are intact, so GDAL opens the file and fails only when it decodes the pixels.
        var input = Path.Combine(dir, "corrupt.tif");
        var data = TestRasters.ReadAll(TestFiles.Fixture("landsat8_b4_int16_nodata.tif"), out var profile);
        using (var ds = RasterDataset.Create(input, profile, new Dictionary<string, string> { ["COMPRESS"] = "DEFLATE" }))
        {
            ds.Write<double>(new Window(0, 0, profile.Width, profile.Height), [1], data);
        }
        var bytes = File.ReadAllBytes(input);
        Assert.True(TiffBytes.Count(bytes, TiffBytes.StripOffsets) == 1, "expected a single strip");
        var (offset, length) = TiffBytes.Piece(bytes, TiffBytes.StripOffsets, TiffBytes.StripByteCounts, 0);
        bytes.AsSpan(offset + length / 2, 64).Fill(0xFF);
        File.WriteAllBytes(input, bytes);

        await AssertInputRefused(input, dir, "corrupt.tif", "truncated or corrupt");
    }

    [Fact]
    public async Task Non_raster_file()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "notes.tif");
        File.WriteAllText(input, "field notes, not pixels\n");
        await AssertInputRefused(input, dir, "notes.tif", "not a raster");
    }

    [Fact]
    public async Task Raster_of_zero_by_zero_pixels()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "zero.vrt");
        File.WriteAllText(input, """
            <VRTDataset rasterXSize="0" rasterYSize="0">
              <VRTRasterBand dataType="Byte" band="1" />
            </VRTDataset>
            """);
        await AssertInputRefused(input, dir, "zero.vrt");
    }

    [Fact]
    public async Task Raster_without_bands()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "nobands.vrt");
        File.WriteAllText(input, """<VRTDataset rasterXSize="20" rasterYSize="20"></VRTDataset>""");
        await AssertInputRefused(input, dir, "nobands.vrt", "bands");   // GDAL's VRT driver refuses it before our own check
    }

    [Fact]
    public async Task Complex_data_type()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "complex.vrt");
        File.WriteAllText(input, Vrt(20, 20, "CFloat32"));
        await AssertInputRefused(input, dir, "complex.vrt", "CFloat32", "not supported");
    }

    [Fact]
    public async Task Absurd_dimensions_are_refused_before_anything_is_written()
    {
        var dir = TestFiles.TempDir();
        // 2·10⁹ pixels a side: GDAL opens it (a VRT costs nothing), but ×4 is beyond GeoTIFF's and int's limits,
        // and even the tile plan of such an image would not fit in memory.
        var input = Path.Combine(dir, "huge.vrt");
        File.WriteAllText(input, Vrt(2_000_000_000, 2_000_000_000, "Byte"));
        // Refused by the size check, not after planning: a plan of that size would run out of memory (or hit the
        // process guard) long before any message, so the message alone shows where it stopped.
        await AssertInputRefused(input, dir, "huge.vrt", "exceeds");
    }

    [Fact]
    public async Task Absurd_dimensions_at_scale_1_are_refused_by_the_tile_count()
    {
        var dir = TestFiles.TempDir();
        // ×1 fits GeoTIFF's limits, but the plan would hold 6·10¹³ tiles.
        var input = Path.Combine(dir, "huge.vrt");
        File.WriteAllText(input, Vrt(2_000_000_000, 2_000_000_000, "Byte"));
        var (exit, error) = await Run("upscale", input, Path.Combine(dir, "out.tif"), "--scale", "1");
        AssertCleanFailure(exit, error, dir, [input], "tiles", "--tile");
    }

    // ─── output place ────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task Output_under_a_file_used_as_a_folder()
    {
        var dir = TestFiles.TempDir();
        var notAFolder = Path.Combine(dir, "existing_file.txt");
        File.WriteAllText(notAFolder, "x");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(notAFolder, "out.tif"));
        AssertCleanFailure(exit, error, dir, [notAFolder], "existing_file.txt/out.tif");
        Assert.Equal("x", File.ReadAllText(notAFolder));
    }

    [Fact]
    public async Task Output_folder_not_writable()
    {
        // Tests run as root, for whom permission bits do not stop a write: a read-only mount does.
        using var mount = Tmpfs.Mount("ro,size=64k");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(mount.Path, "out.tif"));
        AssertCleanFailure(exit, error, mount.Path, [], "out.tif", "cannot write");
    }

    [Fact]
    public async Task Output_under_proc()
    {
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), "/proc/satsr-out.tif");
        Assert.NotEqual(0, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error:", error);
        Assert.Contains("/proc/satsr-out.tif", error);
        Assert.False(File.Exists("/proc/satsr-out.tif"));
    }

    [Fact]
    public async Task Output_path_equal_to_input()
    {
        var dir = TestFiles.TempDir();
        var input = Path.Combine(dir, "scene.tif");
        File.Copy(TestFiles.Fixture(Fixture), input);
        var before = SHA256.HashData(File.ReadAllBytes(input));
        // Spelt differently, same file: the check must compare full paths.
        var (exit, error) = await Run("upscale", input, Path.Combine(dir, ".", "scene.tif"), "--overwrite");
        AssertCleanFailure(exit, error, dir, [input], "scene.tif", "is the input");
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(input)));
    }

    [Fact]
    public async Task Disk_full_while_writing()
    {
        // 64 KiB of tmpfs. The 80×80 output passes GDAL's free-space check at creation (it counts 6,400 pixel bytes),
        // but its one 512² block, uncompressed, is 256 KiB: the failure comes while the pixels are flushed, exactly
        // the path that must clean up after itself.
        using var mount = Tmpfs.Mount("size=64k");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(mount.Path, "out.tif"), "--co", "COMPRESS=NONE");
        AssertCleanFailure(exit, error, mount.Path, [], "out.tif.partial: writing failed: no space left on the disk holding " + mount.Path);
    }

    [Fact]
    public async Task Disk_nearly_full_at_flush_fails_naming_the_pixel_file_and_the_disk()
    {
        // 1 MiB of tmpfs filled up to its last 32 KiB, the input elsewhere. 32 KiB holds the empty output's header
        // (one 4 KiB tmpfs page), the journal and its .tmp (a page each), but not the 80×80 output's one 512² block,
        // 256 KiB uncompressed: the flush after the first tile row is what fails. The short write fills the disk, so
        // a flush whose failure goes unseen is caught only later, by the journal, which then names the wrong file:
        // the line must name the pixel file.
        using var mount = Tmpfs.Mount("size=1m");
        var filler = mount.Fill(leave: 32 << 10);
        var output = Path.Combine(mount.Path, "out.tif");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), output, "--co", "COMPRESS=NONE");
        AssertCleanFailure(exit, error, mount.Path, [filler], $"{output}.partial: writing failed: no space left on the disk holding {mount.Path}");
    }

    [Fact]
    public async Task Disk_full_while_closing_the_resampled_output()
    {
        // --outscale 2.5 runs the network at ×3 into a 60×60 stage file, then resamples into the 50×50 output, which
        // is written only when it closes, one 512² block, 256 KiB uncompressed. The stage file is SatSR's own lossless
        // DEFLATE whatever --co says (tens of KiB with header and journal): 128 KiB free holds it but not the output's
        // block, so closing the output is what fails.
        using var mount = Tmpfs.Mount("size=1m");
        var filler = mount.Fill(leave: 128 << 10);
        var output = Path.Combine(mount.Path, "out.tif");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), output, "--outscale", "2.5", "--co", "COMPRESS=NONE");
        AssertCleanFailure(exit, error, mount.Path, [filler], $"{output}.partial: closing failed: no space left on the disk holding {mount.Path}");
    }

    // ─── models ──────────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task Model_file_missing()
    {
        var dir = TestFiles.TempDir();
        var model = Path.Combine(dir, "gone.onnx");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), "--model", model);
        AssertCleanFailure(exit, error, dir, [], "gone.onnx", "no such model file");
    }

    [Fact]
    public async Task Model_file_truncated()
    {
        var dir = TestFiles.TempDir();
        var model = Path.Combine(dir, "half.onnx");
        var bytes = File.ReadAllBytes(TestFiles.Fixture("models/realesr-general-x4v3.onnx"));
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), "--model", model);
        AssertCleanFailure(exit, error, dir, [model], "half.onnx");
    }

    [Fact]
    public async Task Model_file_of_the_wrong_format()
    {
        var dir = TestFiles.TempDir();
        var model = Path.Combine(dir, "readme.onnx");
        File.WriteAllText(model, "This folder holds the models.\nDownload them with satsr models fetch.\n");
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), "--model", model);
        AssertCleanFailure(exit, error, dir, [model], "readme.onnx");
    }

    [Fact]
    public async Task Model_with_two_input_channels()
    {
        var dir = TestFiles.TempDir();
        // A valid ×2 network that takes 2 channels: a 3×3 convolution to 8 channels and a pixel shuffle back to 2.
        var g = new OnnxGraphBuilder();
        var x = g.Input("input", 2);
        var w = g.Initializer("w", new float[8 * 2 * 3 * 3], 8, 2, 3, 3);
        var conv = g.Conv(x, w, null, 3, "conv");
        g.DepthToSpace(conv, 2, "CRD", "output");
        g.Output("output", 2);
        var model = Path.Combine(dir, "two.onnx");
        File.WriteAllBytes(model, g.ToBytes());

        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), "--model", model);
        AssertCleanFailure(exit, error, dir, [model], "two", "2 channels");
    }

    [Fact]
    public async Task Unknown_model_name()
    {
        var dir = TestFiles.TempDir();
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), "--model", "realesrgan-x9");
        AssertCleanFailure(exit, error, dir, [], "realesrgan-x9", "realesr-general-x4v3");
    }

    // ─── options ─────────────────────────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("--tile", "0", "--tile")]
    [InlineData("--tile", "-16", "--tile")]
    [InlineData("--tile", "16", "--overlap")]          // the model's default overlap (24) is not smaller than 16
    [InlineData("--overlap", "-8", "--overlap")]
    [InlineData("--batch", "-1", "--batch")]
    [InlineData("--scale", "5", "--scale")]
    [InlineData("--scale", "0", "--scale")]
    [InlineData("--threads", "-1", "--threads")]
    public async Task Invalid_option_values(string option, string value, string mention)
    {
        var dir = TestFiles.TempDir();
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), option, value);
        AssertCleanFailure(exit, error, dir, [], mention, value);
    }

    /// <summary>Values System.CommandLine cannot convert, and a stray option: one line, not its report and the whole help.</summary>
    [Theory]
    [InlineData("--tile", "abc", "--tile abc: expected a whole number")]
    [InlineData("--outscale", "x2", "--outscale x2: expected a number")]
    [InlineData("--precision", "int4", "--precision int4: expected one of fp32, fp16, int8")]
    [InlineData("--tiles", "256", "'--tiles'")]
    public async Task Unparseable_option_values(string option, string value, string mention)
    {
        var dir = TestFiles.TempDir();
        var (exit, error) = await Run("upscale", TestFiles.Fixture(Fixture), Path.Combine(dir, "out.tif"), option, value);
        AssertCleanFailure(exit, error, dir, [], mention, "satsr upscale --help lists the options");
    }

    // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>A VRT of the given size and type over band 1 of the 20×20 fixture.</summary>
    private static string Vrt(long width, long height, string type) => $"""
        <VRTDataset rasterXSize="{width}" rasterYSize="{height}">
          <VRTRasterBand dataType="{type}" band="1">
            <SimpleSource>
              <SourceFilename relativeToVRT="0">{TestFiles.Fixture(Fixture)}</SourceFilename>
              <SourceBand>1</SourceBand>
            </SimpleSource>
          </VRTRasterBand>
        </VRTDataset>
        """;

}

/// <summary>A tmpfs mounted on a fresh folder for one test (root only: CI and this project's machines run as root).</summary>
internal sealed class Tmpfs : IDisposable
{
    public string Path { get; }

    private Tmpfs(string path) => Path = path;

    public static Tmpfs Mount(string options)
    {
        // Not skipped when it cannot run: a test that silently does nothing would hide the error path it guards.
        Assert.True(Environment.IsPrivilegedProcess, "this test mounts a tmpfs and must run as root");
        var path = TestFiles.TempDir();
        Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        return new Tmpfs(path);
    }

    /// <summary>Fills the mount with one file (real bytes: tmpfs allocates no page for a hole) up to its last <paramref name="leave"/> bytes.</summary>
    public string Fill(long leave)
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        File.WriteAllBytes(filler, new byte[new DriveInfo(Path).AvailableFreeSpace - leave]);
        Assert.Equal(leave, new DriveInfo(Path).AvailableFreeSpace);
        return filler;
    }

    public void Dispose()
    {
        // Lazy: GDAL opens files without close-on-exec, so a process another test starts meanwhile may hold one of this
        // mount's files until it exits ("target is busy"); the mount is detached now and freed when that file closes.
        Command("umount", "--lazy", Path);
        Directory.Delete(Path);
    }

    private static void Command(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {stderr}");
    }
}
