using System.CommandLine;
using SatSR.Cli.Commands;
using SatSR.Cli.Terminal;
using Spectre.Console;

namespace SatSR.Cli;

/// <summary>Wires the commands together; each command lives in its own file under Commands/.</summary>
public static class SatsrApp
{
    public static RootCommand Build(IAnsiConsole console, IAnsiConsole error)
    {
        var root = new RootCommand("SatSR: super-resolution of large georeferenced satellite images with Real-ESRGAN-family models.");
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(UpscaleCommand.Create(console, error));
        root.Subcommands.Add(InfoCommand.Create(console, error));
        root.Subcommands.Add(ModelsCommand.Create(console, error));
        root.Subcommands.Add(EvalCommand.Create(console, error));
        root.Subcommands.Add(CompareCommand.Create(console, error));
        root.Subcommands.Add(DemoCommand.Create(console, error));
        return root;
    }

    public static Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole error) =>
        Build(console, error).Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
