using SatSR.Cli;
using Spectre.Console;

var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
// Spectre wraps at 80 columns when stderr is a file or a pipe; an error must stay one line for whoever reads the log.
if (Console.IsErrorRedirected) error.Profile.Width = 4096;
return await SatsrApp.RunAsync(args, AnsiConsole.Console, error);
