using SatSR.Raster;

namespace SatSR.Radiometry;

/// <summary>
/// Which input bands the output has and how each gets there. <see cref="Output"/> lists the input band numbers
/// (1-based) written, in the input's order; <see cref="Groups"/> are the bands inferred together (an RGB triple
/// or one band alone); <see cref="Carried"/> are alpha bands, never fed to the network but copied
/// nearest-neighbour (GDAL already reads validity from them).
/// </summary>
internal sealed record BandSelection(int[] Output, int[][] Groups, int[] Carried)
{
    /// <summary>
    /// <paramref name="requested"/> are the bands to process, the first three being the RGB triple when the model
    /// takes three channels and three are given (empty: every non-alpha band, in order). Every other band goes alone
    /// (replicated to the model's channels, the outputs averaged back).
    /// </summary>
    public static BandSelection Resolve(RasterProfile profile, string path, IReadOnlyList<int> requested, int channels)
    {
        var alpha = Enumerable.Range(1, profile.BandCount).Where(b => profile.Bands[b - 1].ColorInterpretation == ColorInterpretation.Alpha).ToArray();
        foreach (var b in requested)
        {
            if (b > profile.BandCount) throw new InvalidOptionsException($"{OptionName.Bands} {b}: {path} has {profile.BandCount} band(s)", b);
            if (alpha.Contains(b)) throw new InvalidOptionsException($"{OptionName.Bands} {b}: band {b} of {path} is alpha, which is always copied, never upscaled", b);
        }
        var chosen = requested.Count > 0 ? requested.ToArray() : Enumerable.Range(1, profile.BandCount).Except(alpha).ToArray();
        if (chosen.Length == 0) throw new InvalidOptionsException($"{path}: has only alpha bands, nothing to upscale");

        var groups = new List<int[]>();
        var next = 0;
        if (channels == 3 && chosen.Length >= 3)
        {
            groups.Add(chosen[..3]);
            next = 3;
        }
        groups.AddRange(chosen[next..].Select(b => new[] { b }));
        return new BandSelection([.. chosen.Concat(alpha).Order()], [.. groups], alpha);
    }
}
