using SatSR.Geometry;
using SatSR.Radiometry;
using SatSR.Raster;

namespace SatSR.Training.Data;

/// <summary>
/// A raster held in memory as the network sees it: each band mapped to 0..1 by the same global rule inference uses
/// for that file (<see cref="BandRanges"/>), with the same validity (nodata, masks, 8-bit's 0) and the same band
/// groups (an RGB triple, or each band alone, replicated to the model's channels).
/// </summary>
internal sealed class TrainingImage
{
    private readonly float[][] _planes;   // indexed by band number − 1

    private TrainingImage(string path, int width, int height, float[][] planes, byte[] valid, int[][] groups)
    {
        Path = path;
        Width = width;
        Height = height;
        _planes = planes;
        Valid = valid;
        Groups = groups;
    }

    public string Path { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>255 where the pixel is valid, row-major.</summary>
    public byte[] Valid { get; }

    /// <summary>Band numbers (1-based) fed together to the network.</summary>
    public int[][] Groups { get; }

    public Window Bounds => new(0, 0, Width, Height);

    /// <exception cref="SatSRException">not a raster GDAL can read, or no band to train on</exception>
    public static TrainingImage Load(string path, int channels)
    {
        using var source = RasterDataset.Open(path);
        var profile = source.Profile;
        var validity = Validity.For(source, NodataMode.FromFile, 0);
        var bands = BandSelection.Resolve(profile, path, [], channels);
        var scales = BandRanges.Measure(source, validity, []);

        var window = new Window(0, 0, profile.Width, profile.Height);
        var n = profile.Width * profile.Height;
        var all = Enumerable.Range(1, profile.BandCount).ToArray();
        var values = new double[(long)all.Length * n];
        source.Read<double>(window, all, values);
        var valid = new byte[n];
        validity.Evaluate(window, values, valid);

        var used = bands.Groups.SelectMany(g => g).ToHashSet();
        var planes = all.Select(b =>
        {
            if (!used.Contains(b)) return [];
            var unit = scales[b - 1].Unit;
            var plane = new float[n];
            var offset = (long)(b - 1) * n;
            for (var i = 0; i < n; i++) plane[i] = unit.ToUnit(values[offset + i]);
            return plane;
        }).ToArray();
        return new TrainingImage(path, profile.Width, profile.Height, planes, valid, bands.Groups);
    }

    /// <summary>
    /// Copies <paramref name="window"/> of one band group into <paramref name="destination"/> as
    /// <paramref name="channels"/> planes (a lone band replicated to every channel, as inference feeds it).
    /// </summary>
    public void Crop(int[] group, Window window, int channels, Span<float> destination)
    {
        var n = window.Width * window.Height;
        for (var c = 0; c < channels; c++)
        {
            var plane = _planes[group[Math.Min(c, group.Length - 1)] - 1];
            for (var y = 0; y < window.Height; y++)
                plane.AsSpan((window.Row + y) * Width + window.Column, window.Width).CopyTo(destination.Slice(c * n + y * window.Width, window.Width));
        }
    }

    /// <summary>The validity of <paramref name="window"/>, row-major.</summary>
    public byte[] CropValid(Window window)
    {
        var result = new byte[window.Width * window.Height];
        for (var y = 0; y < window.Height; y++)
            Valid.AsSpan((window.Row + y) * Width + window.Column, window.Width).CopyTo(result.AsSpan(y * window.Width));
        return result;
    }
}
