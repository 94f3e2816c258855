using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SatSR.Training.Data;

/// <summary>
/// What JPEG does to pixels, in tensors (as Real-ESRGAN's DiffJPEG does): 8×8 DCT, quantisation with the IJG tables
/// scaled to a quality, inverse DCT. RGB goes through YCbCr (luma table for Y, chroma table for Cb and Cr, no chroma
/// subsampling); other channel counts are coded as gray. The entropy coding JPEG adds is lossless, so it is skipped.
/// </summary>
internal static class Jpeg
{
    private static readonly float[] Luma =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly float[] Chroma =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary><paramref name="x"/> [B, C, H, W] in 0..1, compressed at <paramref name="quality"/> (1..100) and decoded.</summary>
    public static Tensor Compress(Tensor x, double quality)
    {
        using var scope = NewDisposeScope();
        long h = x.shape[2], w = x.shape[3], ph = (8 - h % 8) % 8, pw = (8 - w % 8) % 8;
        var rgb = x.shape[1] == 3;
        var planes = rgb ? ToYCbCr(x) : x * 255;
        planes = F.pad(planes, [0, pw, 0, ph], PaddingModes.Replicate) - 128;
        var tables = stack(rgb ? [Table(Luma, quality), Table(Chroma, quality), Table(Chroma, quality)] : [Table(Luma, quality)])
            .reshape(1, rgb ? 3 : 1, 1, 1, 8, 8);
        var d = Dct();
        long b = planes.shape[0], c = planes.shape[1], bh = planes.shape[2] / 8, bw = planes.shape[3] / 8;
        var blocks = planes.reshape(b, c, bh, 8, bw, 8).permute(0, 1, 2, 4, 3, 5);
        var coefficients = d.matmul(blocks).matmul(d.t());
        var decoded = d.t().matmul((coefficients / tables).round() * tables).matmul(d);
        planes = decoded.permute(0, 1, 2, 4, 3, 5).reshape(b, c, bh * 8, bw * 8)[.., .., ..(int)h, ..(int)w] + 128;
        var result = rgb ? FromYCbCr(planes) : planes / 255;
        return result.clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The IJG scaling of a base table: quality 50 is the table itself.</summary>
    private static Tensor Table(float[] table, double quality)
    {
        var q = Math.Clamp(quality, 1, 100);
        var factor = q < 50 ? 5000 / q : 200 - 2 * q;
        return tensor(table.Select(t => (float)Math.Clamp(Math.Floor((t * factor + 50) / 100), 1, 255)).ToArray()).reshape(8, 8);
    }

    /// <summary>The orthonormal 8-point DCT-II matrix.</summary>
    private static Tensor Dct()
    {
        var m = new float[64];
        for (var k = 0; k < 8; k++)
            for (var n = 0; n < 8; n++)
                m[k * 8 + n] = (float)((k == 0 ? Math.Sqrt(1.0 / 8) : Math.Sqrt(2.0 / 8)) * Math.Cos((2 * n + 1) * k * Math.PI / 16));
        return tensor(m).reshape(8, 8);
    }

    // JFIF's full-range YCbCr.
    private static Tensor ToYCbCr(Tensor x)
    {
        var m = tensor(new float[] { 0.299f, 0.587f, 0.114f, -0.168736f, -0.331264f, 0.5f, 0.5f, -0.418688f, -0.081312f }).reshape(3, 3);
        var y = einsum("kc,bchw->bkhw", m, x * 255);
        return y + tensor(new float[] { 0, 128, 128 }).reshape(1, 3, 1, 1);
    }

    private static Tensor FromYCbCr(Tensor x)
    {
        var m = tensor(new float[] { 1, 0, 1.402f, 1, -0.344136f, -0.714136f, 1, 1.772f, 0 }).reshape(3, 3);
        var centred = x - tensor(new float[] { 0, 128, 128 }).reshape(1, 3, 1, 1);
        return einsum("kc,bchw->bkhw", m, centred) / 255;
    }
}
