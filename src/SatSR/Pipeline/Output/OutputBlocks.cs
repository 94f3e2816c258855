using SatSR.Geometry;
using SatSR.Raster;

namespace SatSR.Pipeline.Output;

/// <summary>How output is cut for writing: pieces of whole blocks, and where validity goes.</summary>
internal static class OutputBlocks
{
    /// <summary>Output pixels written per GDAL call at most (whole blocks): bounds the conversion buffer.</summary>
    private const int MaxPieceWidth = 4096;

    /// <summary>The width of a piece of output (<see cref="Pieces"/>) at most, for blocks <paramref name="blockWidth"/> wide.</summary>
    internal static int MaxPieceLength(int blockWidth) => Math.Max(blockWidth, MaxPieceWidth / blockWidth * blockWidth);

    /// <summary>
    /// <paramref name="area"/> cut into pieces of whole output blocks, block row by block row, each at most
    /// <see cref="MaxPieceWidth"/> wide: writing them in this order writes every block once.
    /// </summary>
    internal static IEnumerable<Window> Pieces(Window area, int blockHeight, int blockWidth)
    {
        var pieceWidth = MaxPieceLength(blockWidth);
        for (var top = area.Row; top < area.Bottom; top += blockHeight)
        {
            for (var left = area.Column; left < area.Right; left += pieceWidth)
            {
                yield return Window.FromEdges(left, top, Math.Min(left + pieceWidth, area.Right), Math.Min(top + blockHeight, area.Bottom));
            }
        }
    }

    /// <summary>True when validity goes into <paramref name="target"/>'s own mask band (lossy output) rather than a nodata value.</summary>
    internal static bool HasMask(RasterDataset target) => target.Profile.Bands[0].MaskFlags == MaskFlags.PerDataset;
}
