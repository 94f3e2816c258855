using System.Diagnostics;

namespace SatSR.Tests;

/// <summary>The built CLI as a separate process, the way a user's shell or a scheduler runs it.</summary>
internal static class SatsrProcess
{
    /// <summary>
    /// The command line that runs the CLI: the native program users run (<c>$SATSR_CLI</c>, which tools/test sets to
    /// the launcher's build), else the runtime with the assembly built beside the tests.
    /// </summary>
    public static string[] Command => Environment.GetEnvironmentVariable("SATSR_CLI") is { Length: > 0 } native
        ? [native]
        : ["dotnet", typeof(SatSR.Cli.SatsrApp).Assembly.Location];

    /// <summary>A start of the CLI with <paramref name="args"/>, its output and error redirected.</summary>
    public static ProcessStartInfo Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in Command.Skip(1).Concat(args)) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>
    /// Runs satsr with <paramref name="args"/> to its end (<paramref name="killAt"/>: where it kills itself;
    /// <paramref name="environment"/>: variables set, or removed where null); exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> Run(string[] args, string? killAt = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = Start(args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        // No debugger or diagnostics pipes in the temp folder: a killed runtime would leave them there.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment.Remove("SATSR_TEST_KILL_AT");
        if (killAt is not null) info.Environment["SATSR_TEST_KILL_AT"] = killAt;
        using var child = Process.Start(info)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        // A guard against a hang, far above what any run here takes on a loaded machine; not a speed claim.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill();
            Assert.Fail($"satsr {string.Join(' ', args)} did not end within 10 minutes");
        }
        return (child.ExitCode, await stderr + await stdout);
    }
}
