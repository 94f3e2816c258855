using SatSR.Cli;
using Spectre.Console;

return await SatsrApp.RunAsync(args, AnsiConsole.Console, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));
