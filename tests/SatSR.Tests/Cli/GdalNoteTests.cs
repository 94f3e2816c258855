using SatSR.Tests.Models;

namespace SatSR.Tests.Cli;

/// <summary>GDAL's warnings reach the user through SatSR: as one note, never as GDAL's raw "Warning 1:" line.</summary>
public class GdalNoteTests
{
    /// <summary>
    /// The CBERS scene's GeoTIFF keys define SAD69 (EPSG:4291) otherwise than the EPSG registry, and GDAL warns each
    /// time it opens the file (gdalinfo prints "Warning 1: The definition of geographic CRS EPSG:4291 …"). A run opens
    /// it to plan and once per reader, so only the de-duplication makes the note appear once.
    /// </summary>
    [Fact]
    public async Task A_GDAL_warning_is_one_note_naming_the_file_and_never_a_raw_line()
    {
        using var dir = new TempFolder();
        var input = GdalPython.CrsWarningScene(dir.File("cbers.tif"));
        var (exit, output) = await SatsrProcess.Run(["upscale", input, dir.File("out.tif"), "--model", TestModels.WritePixelRepeatX4(dir.Path),
            "--device", "cpu", "--tile", "16", "--overlap", "4", "--threads", "2"]);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("Warning 1:", output);
        var notes = output.Split('\n').Where(line => line.StartsWith("note: GDAL:", StringComparison.Ordinal)).ToList();
        var note = Assert.Single(notes);
        Assert.Contains("The definition of geographic CRS EPSG:4291 got from GeoTIFF keys is not the same as the one from the EPSG registry", note);
        Assert.Contains("GTIFF_SRS_SOURCE", note);   // what the user can do about it, in GDAL's words
        Assert.EndsWith($"(file {input})", note.TrimEnd());
    }

    /// <summary>GDAL's warning that refuses a creation option is SatSR's error line, not a note as well.</summary>
    [Fact]
    public async Task A_warning_that_becomes_the_error_is_not_also_a_note()
    {
        using var dir = new TempFolder();
        var (exit, output, error) = await CliTests.Run("upscale", TestFiles.Fixture("geomatrix_rotated.tif"), dir.File("out.tif"), "--co", "NO_SUCH_OPTION=1");
        Assert.Equal(1, exit);
        Assert.Contains("does not support creation option NO_SUCH_OPTION", error);
        Assert.DoesNotContain("note:", output);
    }

    /// <summary>The control: a file GDAL has nothing to say about gives no note.</summary>
    [Fact]
    public async Task A_file_GDAL_does_not_warn_about_gives_no_note()
    {
        using var dir = new TempFolder();
        var (exit, output) = await SatsrProcess.Run(["upscale", TestFiles.Fixture("geomatrix_rotated.tif"), dir.File("out.tif"),
            "--model", TestModels.WritePixelRepeatX4(dir.Path), "--device", "cpu", "--tile", "8", "--overlap", "2"]);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("note:", output);
    }
}
