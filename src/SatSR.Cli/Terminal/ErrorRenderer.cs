using SatSR.Cli.Commands;
using Spectre.Console;

namespace SatSR.Cli.Terminal;

/// <summary>Turns a failure into one line (plus the stack trace with --verbose) and an exit code.</summary>
internal static class ErrorRenderer
{
    public const int Failure = 1;
    public const int Cancelled = 130;

    public static int Render(IAnsiConsole error, Exception exception, bool verbose)
    {
        if (exception is OperationCanceledException)
        {
            error.MarkupLine("[yellow]cancelled[/]: finished windows are kept; run the same command with --resume to continue");
            return Cancelled;
        }
        var message = exception is SatSRException e ? e.Describe(CommonOptions.Flag) : $"unexpected error: {exception.Message}";
        Refuse(error, message);
        // Plain text: Spectre's exception formatter reads stack frames by reflection, which the native CLI does not have.
        if (verbose) error.WriteLine(exception.ToString(), Style.Plain);
        return Failure;
    }

    /// <summary>Prints <paramref name="message"/> as the one "error: …" line; returns the failure exit code.</summary>
    public static int Refuse(IAnsiConsole error, string message)
    {
        error.MarkupLineInterpolated($"[red]error:[/] {OneLine(message)}");
        return Failure;
    }

    private static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>Runs <paramref name="body"/>, rendering any failure; the single place where the CLI catches exceptions.</summary>
    public static async Task<int> Guard(IAnsiConsole error, bool verbose, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e)
        {
            return Render(error, e, verbose);
        }
    }
}
