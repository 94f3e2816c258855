using SatSR.Cli;
using Spectre.Console;

var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
// Spectre wraps at 80 columns when a stream is a file or a pipe; an error must stay one line, and a table row one
// line per row, for whoever reads the log or greps it.
if (Console.IsErrorRedirected) error.Profile.Width = 4096;
if (Console.IsOutputRedirected) AnsiConsole.Console.Profile.Width = 4096;
return await SatsrApp.RunAsync(args, AnsiConsole.Console, error);
