using System.CommandLine;

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
}
