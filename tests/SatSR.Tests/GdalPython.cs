using System.Diagnostics;

namespace SatSR.Tests;

/// <summary>
/// GDAL's own Python bindings (python3-gdal, which tools/test installs) as an independent maker of test rasters:
/// <c>gdal.Translate</c>, <c>gdal.BuildVRT</c>, as gdal_translate and gdalbuildvrt do it. Debian's own python3, which
/// has the package even when another python3 comes first on the PATH.
/// </summary>
internal static class GdalPython
{
    /// <summary>Runs <paramref name="script"/> (with <c>from osgeo import gdal</c> before it and <c>sys.argv[1:]</c> = <paramref name="args"/>); fails the test when it fails.</summary>
    public static void Run(string script, params string[] args)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python, ["-c", "import sys\nfrom osgeo import gdal\ngdal.UseExceptions()\n" + script, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3-gdal failed (apt-get install python3-gdal, or run tools/test): {stdout.Result}{stderr}");
    }

    /// <summary><c>gdal_translate -srcwin</c>: a window of <paramref name="source"/> as a GeoTIFF, its georeference and GeoTIFF keys as GDAL copies them.</summary>
    public static string Crop(string source, int column, int row, int width, int height, string path)
    {
        Run("gdal.Translate(sys.argv[2], sys.argv[1], srcWin=[int(v) for v in sys.argv[3:7]])",
            source, path, $"{column}", $"{row}", $"{width}", $"{height}");
        return path;
    }

    /// <summary>
    /// A 48×48 crop of the CBERS RGB fixture (pixels and georeference at column and row 400) written as a plain TIFF
    /// with the original scene's own four GeoTIFF keys: projected CRS 29182 (SAD69 / UTM 22S, a code EPSG has since
    /// superseded) and its citation. GDAL reads those keys as a SAD69 that differs from the EPSG registry's and warns
    /// on every open (gdalinfo: "Warning 1: The definition of geographic CRS EPSG:4291 got from GeoTIFF keys is not the
    /// same…"); gdal_translate cannot make such a file, as it writes the registry's code 29192 instead.
    /// </summary>
    public static string CrsWarningScene(string path)
    {
        Run(CrsWarningScript, TestFiles.Fixture("cbers_rgb342_20m.tif"), path);
        return path;
    }

    private const string CrsWarningScript = """
        import struct
        src, dst = sys.argv[1], sys.argv[2]
        x, y, w, h = 400, 400, 48, 48
        ds = gdal.Open(src)
        pixels = ds.ReadRaster(x, y, w, h, band_list=[1, 2, 3], buf_pixel_space=3, buf_line_space=3 * w, buf_band_space=1)
        gt = ds.GetGeoTransform()
        entries = sorted([
            (256, 3, [w]), (257, 3, [h]), (258, 3, [8, 8, 8]), (259, 3, [1]), (262, 3, [2]), (273, 4, [0]), (277, 3, [3]),
            (278, 3, [h]), (279, 4, [len(pixels)]), (284, 3, [1]),
            (33550, 12, [gt[1], -gt[5], 0.0]), (33922, 12, [0.0, 0.0, 0.0, gt[0] + x * gt[1], gt[3] + y * gt[5], 0.0]),
            (34735, 3, [1, 1, 0, 4, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 29182, 3073, 34737, 25, 0]),
            (34737, 2, b'UTM zone 22S with SAD 69|\0')])
        letter, size = {3: 'H', 4: 'I', 12: 'd'}, {2: 1, 3: 2, 4: 4, 12: 8}
        data_at = 8 + 2 + 12 * len(entries) + 4
        blobs, fields = b'', []
        for tag, kind, values in entries:
            raw = values if kind == 2 else struct.pack('<%d%s' % (len(values), letter[kind]), *values)
            fields.append((tag, kind, len(raw) // size[kind], raw))
            if len(raw) > 4: blobs += raw + b'\0' * (len(raw) % 2)
        table, at = b'', data_at
        for tag, kind, count, raw in fields:
            if tag == 273: raw = struct.pack('<I', data_at + len(blobs))
            if len(raw) > 4:
                table += struct.pack('<HHII', tag, kind, count, at); at += len(raw) + len(raw) % 2
            else:
                table += struct.pack('<HHI', tag, kind, count) + raw.ljust(4, b'\0')
        with open(dst, 'wb') as f:
            f.write(b'II' + struct.pack('<HIH', 42, 8, len(entries)) + table + b'\0\0\0\0' + blobs + pixels)
        """;
}
