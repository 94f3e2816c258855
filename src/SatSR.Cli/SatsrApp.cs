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
        // Help would otherwise name the program after the assembly (SatSR.Cli); people type the launcher's name.
        var root = new RootCommand("SatSR: super-resolution of large georeferenced satellite images with Real-ESRGAN-family models.") { HelpName = "satsr" };
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(UpscaleCommand.Create(console, error));
        root.Subcommands.Add(MergeCommand.Create(console, error));
        root.Subcommands.Add(PlanCommand.Create(console, error));
        root.Subcommands.Add(InfoCommand.Create(console, error));
        root.Subcommands.Add(ModelsCommand.Create(console, error));
        root.Subcommands.Add(EvalCommand.Create(console, error));
        root.Subcommands.Add(CompareCommand.Create(console, error));
        root.Subcommands.Add(DemoCommand.Create(console, error));
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(QgisCommand.Create(console, error));
        return root;
    }

    public static Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole error)
    {
        // Everything after "train" belongs to the trainer, a program of its own with its own options and help.
        if (args is [TrainCommand.Name, .. var rest]) return Task.FromResult(TrainCommand.Run(rest, Console.Error));
        var parse = Build(console, error).Parse(args);
        // A bare `satsr` still gets the help; a command line with a mistake gets one line like any other bad input.
        if (args.Length > 0 && ParseErrorLine.For(parse) is { } line) return Task.FromResult(ErrorRenderer.Refuse(error, line));
        return parse.InvokeAsync(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // On Ctrl-C or SIGTERM a run stops within a tile and keeps its resume point; System.CommandLine's
            // default of two seconds would kill a run on a busy machine before it got there (exit 143).
            ProcessTerminationTimeout = TimeSpan.FromMinutes(2),
        });
    }
}
