using System.CommandLine;
using System.Globalization;
using SatSR.Geometry;

namespace SatSR.Cli.Commands;

/// <summary>Options shared by several commands, defined once.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show the full error with its stack trace",
        Recursive = true,
    };

    public static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "Zoo model name or a model file (.pth, ncnn .param, .onnx)",
        DefaultValueFactory = _ => ModelsCommand.DefaultModel,
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
