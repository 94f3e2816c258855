using SatSR.Geometry;
using SatSR.Raster;

namespace SatSR.Tests;

/// <summary>Small rasters made from the real fixtures, and whole-image reads, through SatSR's own GDAL layer.</summary>
internal static class TestRasters
{
    /// <summary>
    /// Writes <paramref name="window"/> of a fixture to a new GeoTIFF with the georeference moved to the window;
    /// <paramref name="edit"/> changes the profile (type, bands, georeference) and <paramref name="values"/> the samples.
    /// </summary>
    public static string Crop(string fixture, Window window, string path,
        Func<RasterProfile, RasterProfile>? edit = null, Func<double, double>? values = null, IReadOnlyDictionary<string, string>? creation = null)
    {
        using var src = RasterDataset.Open(TestFiles.Fixture(fixture));
        var bands = Enumerable.Range(1, src.Profile.BandCount).ToArray();
        var data = new double[bands.Length * window.Width * window.Height];
        src.Read<double>(window, bands, data);
        var profile = src.Profile with
        {
            Width = window.Width,
            Height = window.Height,
            Transform = src.Profile.Transform?.ForWindow(window),
        };
        profile = edit?.Invoke(profile) ?? profile;
        if (values is not null) data = data.Select(values).ToArray();
        using (var dst = RasterDataset.Create(path, profile, creation ?? new Dictionary<string, string>()))
        {
            dst.Write<double>(new Window(0, 0, window.Width, window.Height), bands, data);
        }
        return path;
    }

    /// <summary>
    /// Rewrites every sample of <paramref name="path"/> in place: <paramref name="value"/>(band, column, row, sample)
    /// gives the new sample (band 0-based), so a test can mark chosen pixels or bands.
    /// </summary>
    public static void Edit(string path, Func<int, int, int, double, double> value)
    {
        var data = ReadAll(path, out var p);
        var n = p.Width * p.Height;
        for (var i = 0; i < data.Length; i++) data[i] = value(i / n, i % n % p.Width, i % n / p.Width, data[i]);
        using var ds = RasterDataset.OpenForUpdate(path);
        ds.Write<double>(new Window(0, 0, p.Width, p.Height), Enumerable.Range(1, p.BandCount).ToArray(), data);
    }

    public static double[] ReadAll(string path, out RasterProfile profile)
    {
        using var ds = RasterDataset.Open(path);
        profile = ds.Profile;
        var bands = Enumerable.Range(1, profile.BandCount).ToArray();
        var data = new double[bands.Length * profile.Width * profile.Height];
        ds.Read<double>(new Window(0, 0, profile.Width, profile.Height), bands, data);
        return data;
    }

    public static double Psnr(double[] a, double[] b, double peak = 255)
    {
        Assert.Equal(a.Length, b.Length);
        double mse = 0;
        for (var i = 0; i < a.Length; i++) mse += (a[i] - b[i]) * (a[i] - b[i]);
        mse /= a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(peak * peak / mse);
    }
}
