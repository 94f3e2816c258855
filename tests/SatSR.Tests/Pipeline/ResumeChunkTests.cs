using System.Text.Json;
using SatSR.Pipeline;

namespace SatSR.Tests.Pipeline;

/// <summary>Resuming a job whose output is blended in column chunks.</summary>
public partial class ResumeTests
{
    /// <summary>
    /// 48×48 pan pixels, tiles of 16 read with 8 overlap (reads start at 0, 8 and 16 on both axes, ×4: 0, 32, 64), and
    /// a strip budget of 64 output columns (1 band × (16 + 32·4) rows × 4 bytes = 576 bytes a column): three column
    /// chunks of the 192-column output, whose tiles are those whose read reaches into them: 2, 3 and 2 tile columns,
    /// so 6, 9 and 6 tiles. After a tile row the journal records rows 32, 64, then 192. Worked by hand:
    /// cancelled after <paramref name="tiles"/> tiles, the journal holds (<paramref name="chunk"/>, <paramref name="rows"/>).
    /// The CLI has no strip budget option (at the default 256 MiB a chunk is 466,000 columns wide), so the job is
    /// interrupted in process, synchronously at an exact tile, as <see cref="Interrupt"/> does.
    /// </summary>
    [Theory]
    [InlineData(3, 0, 32)]     // the first chunk's first tile row: the later chunks have written nothing
    [InlineData(10, 1, 32)]    // the middle chunk's first tile row
    [InlineData(13, 1, 64)]    // the middle chunk's second
    [InlineData(18, 2, 32)]    // the last chunk
    public void Interrupted_in_a_column_chunk_then_resumed_gives_identical_pixels(int tiles, int chunk, int rows)
    {
        var dir = TestFiles.TempDir();
        var options = Options(Input(dir), Path.Combine(dir, "out.tif")) with { StripBudgetBytes = 64 * 576 };
        var reference = Upscaler.Run(options with { OutputPath = Path.Combine(dir, "reference.tif") });
        Assert.Equal(21, reference.TilesInferred);   // the border tiles run once per chunk they reach into

        Interrupt(options, tiles);
        using (var journal = JsonDocument.Parse(File.ReadAllText(options.OutputPath + ".partial.journal")))
        {
            Assert.Equal((chunk, rows), (journal.RootElement.GetProperty("Chunk").GetInt32(), journal.RootElement.GetProperty("RowsDone").GetInt32()));
        }
        Upscaler.Run(options with { Resume = true });

        Assert.Equal(TestRasters.ReadAll(reference.OutputPath, out _), TestRasters.ReadAll(options.OutputPath, out _));
        AssertOnlyFiles(dir, "in.tif", "out.tif", "reference.tif");
    }
}
