using SatSR.Geometry;
using SatSR.Pipeline.Buffers;
using SatSR.Pipeline.Output;
using SatSR.Pipeline.Planning;
using SatSR.Pipeline.Sharding;
using SatSR.Pipeline.Stages;
using SatSR.Tiling;

namespace SatSR.Tests.Pipeline;

public class StripBlenderTests
{
    /// <summary>
    /// One 32² tile at ×2 ends its tile row and finishes 64 output rows: four pieces of one 16-row block row each. The
    /// blender copies a piece out of the strip only when the one before was taken, so a consumer that gives each piece
    /// back before asking for the next makes the pool hold one piece, not four; the pieces hold the tile's values (its
    /// weights sum to 1) and come in output order, then the checkpoint.
    /// </summary>
    [Fact]
    public void A_flush_copies_each_piece_out_only_when_the_one_before_was_taken()
    {
        var plan = TilePlan.Create(32, 32, 32, 0, SizeRequirements.Any);
        var schedule = TileSchedule.Create(plan, ShardLayout.For(plan, 2, BlendMode.Feather, 16), 1, 16, 256L << 20, new ResumePoint(0, 0));
        var buffers = new BufferOwner();
        var pieces = buffers.Pool<float>(1L * 16 * OutputBlocks.MaxPieceLength(16));
        var blender = new StripBlender(schedule, BlendWeights.Create(plan, 2, BlendMode.Feather), 1, 16, 16, pieces, new Progress<int>());
        var prediction = buffers.Pool<float>(64 * 64).Rent();
        for (var i = 0; i < prediction.Array.Length; i++) prediction.Array[i] = (i / 64) / 64f;

        var rows = new List<int>();
        foreach (var item in blender.Add(new PredictedTile(schedule.Tiles.Single(), [prediction], [new BandPlane(0, 0)], default)))
        {
            Assert.Equal(1, pieces.Created);
            if (item is not StripPiece piece)
            {
                Assert.Equal(new ResumePoint(0, 64), Assert.IsType<Checkpoint>(item).Point);
                continue;
            }
            Assert.Equal(new Window(0, rows.Count * 16, 64, 16), piece.Window);
            for (var y = 0; y < 16; y++) Assert.Equal((piece.Window.Row + y) / 64f, piece.Values.Array[y * 64 + 5]);
            rows.Add(piece.Window.Row);
            piece.Dispose();
        }
        Assert.Equal([0, 16, 32, 48], rows);
        // The blender gave the prediction back once added.
        Assert.Equal(0, buffers.Counts.LeasesOut);
    }
}
