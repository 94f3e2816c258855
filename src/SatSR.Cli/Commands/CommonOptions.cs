using System.CommandLine;
using System.Globalization;
using SatSR.Geometry;
using SatSR.Raster;

namespace SatSR.Cli.Commands;

/// <summary>Options shared by several commands, defined once.</summary>
internal static class CommonOptions
{
    /// <summary>
    /// The flag of each option the library names in its messages (<see cref="OptionName"/>; every command spells an option
    /// the same way), so that a failure reads as the command line it answers.
    /// </summary>
    private static readonly Dictionary<OptionName, string> Flags = new()
    {
        [OptionName.Asset] = "--asset",
        [OptionName.Bands] = "--bands",
        [OptionName.Batch] = "--batch",
        [OptionName.CreationOptions] = "--co",
        [OptionName.Degradation] = "--degradation",
        [OptionName.Device] = "--device",
        [OptionName.MemoryBytes] = "--memory",
        [OptionName.ModelWeight] = "--model-weight",
        [OptionName.OutScale] = "--outscale",
        [OptionName.Overlap] = "--overlap",
        [OptionName.Overviews] = "--overviews",
        [OptionName.Overwrite] = "--overwrite",
        [OptionName.PartsFolder] = "--parts",
        [OptionName.QueueDepth] = "--queue-depth",
        [OptionName.Ranges] = "--range",
        [OptionName.Region] = "--region",
        [OptionName.Resume] = "--resume",
        [OptionName.Scale] = "--scale",
        [OptionName.Shard] = "--shard",
        [OptionName.Threads] = "--threads",
        [OptionName.TileSize] = "--tile",
        [OptionName.Vrt] = "--vrt",
    };

    /// <summary>The flag that sets <paramref name="option"/>; its library name for one the table lacks.</summary>
    public static string Flag(OptionName option) => Flags.GetValueOrDefault(option, option.Name);

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show the full error with its stack trace",
        Recursive = true,
    };

    public static readonly Option<string[]> Config = new("--config")
    {
        Description = "GDAL configuration option NAME=VALUE for this run, e.g. GDAL_HTTP_MAX_RETRY=0 (repeatable; like an environment variable, it wins over SatSR's defaults for remote inputs)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string?> Asset = new("--asset")
    {
        Description = "With a STAC item as input (a .json file or URL): the asset to read, e.g. visual or B04",
    };

    /// <summary>Sets each <c>NAME=VALUE</c> of --config as a GDAL configuration option for the whole process.</summary>
    public static void ApplyConfig(IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new InvalidOptionsException($"--config {item}: expected NAME=VALUE, e.g. GDAL_HTTP_MAX_RETRY=3");
            Gdal.SetConfig(item[..eq].Trim(), item[(eq + 1)..].Trim());
        }
    }

    public static readonly Option<string?> Model = new("--model", "-m")
    {
        Description = "Zoo model name or a model file (.pth, ncnn .param, .onnx) [default: satsr-sat-x4; satsr-sat-x2 with --scale 2]",
    };

    public static readonly Option<string?> Region = new("--region")
    {
        Description = "Part of the image to use: x,y,width,height in pixels (x, y: the top-left corner)",
    };

    /// <summary><c>x,y,w,h</c> → a window; null when the option is absent.</summary>
    public static Window? ParseRegion(string? text)
    {
        if (text is null) return null;
        var numbers = text.Split(',').Select(p => int.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        if (numbers.Length != 4 || numbers.Min() < 0 || numbers[2] == 0 || numbers[3] == 0)
        {
            throw new InvalidOptionsException($"--region {text}: expected x,y,width,height in pixels, e.g. 1024,512,512,512");
        }
        return new Window(numbers[0], numbers[1], numbers[2], numbers[3]);
    }
}
