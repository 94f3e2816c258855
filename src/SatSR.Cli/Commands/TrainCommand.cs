using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr train …</c>: fine-tuning lives in its own program (src/SatSR.Training), because TorchSharp's ≈500 MB of
/// native libraries must stay out of the inference path. On the first use it is built into out/train (the NuGet
/// restore downloads TorchSharp), with one line saying so; then its exit code is this command's.
/// </summary>
internal static partial class TrainCommand
{
    public const string Name = "train";

    /// <summary>For the root help only: every argument after <c>train</c> goes to the trainer, which has its own --help.</summary>
    public static Command Create() => new(Name, "Fine-tune a model on your own high-resolution imagery (builds the TorchSharp trainer on first use; see satsr train --help)");

    public static int Run(string[] arguments, TextWriter error)
    {
        var root = SourceTree.Find();
        if (root is null)
        {
            error.WriteLine("error: satsr train needs the SatSR source tree (src/SatSR.Training) to build the trainer; run it through the ./satsr launcher");
            return 1;
        }
        var dll = Path.Combine(root, "out", "train", "SatSR.Training.dll");
        if (IsStale(root, dll))
        {
            error.WriteLine("satsr: building the trainer (first satsr train, or sources changed; the first restore downloads TorchSharp, ≈270 MB)…");
            var log = Path.Combine(root, "out", "train-build.log");
            Directory.CreateDirectory(Path.GetDirectoryName(log)!);
            var build = Start(root, ["build", Path.Combine(root, "src", "SatSR.Training", "SatSR.Training.csproj"), "-c", "Release", "-o", Path.GetDirectoryName(dll)!, "-nologo"], redirect: true);
            File.WriteAllText(log, build.StandardOutput.ReadToEnd());
            build.WaitForExit();
            if (build.ExitCode != 0)
            {
                error.WriteLine($"error: building the trainer failed; see {log}");
                return 1;
            }
        }
        // The trainer saves a checkpoint and exits on SIGINT or SIGTERM; either one sent to this process is passed on.
        // A terminal's Ctrl-C and a scheduler's signal to the job reach both already (one process group), but `kill PID`
        // of satsr alone would otherwise end it (exit 143) and leave the trainer running with no one waiting.
        Process? trainer = null;
        int? pending = null;
        var gate = new Lock();
        void Pass(PosixSignalContext context)
        {
            context.Cancel = true;
            var number = context.Signal == PosixSignal.SIGINT ? SigInt : SigTerm;
            lock (gate)
            {
                if (trainer is null) pending = number;
                else Kill(trainer.Id, number);
            }
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Pass);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Pass);
        lock (gate)
        {
            trainer = Start(root, [dll, .. arguments], redirect: false);
            // A signal between the registrations and the start: the trainer gets it now, and stops at its first step.
            if (pending is { } early) Kill(trainer.Id, early);
        }
        using (trainer)
        {
            trainer.WaitForExit();
            return trainer.ExitCode;
        }
    }

    private const int SigInt = 2, SigTerm = 15;

    // libc's kill(2): .NET starts processes but sends no signal other than SIGKILL.
    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    private static Process Start(string root, string[] arguments, bool redirect)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Environment.CurrentDirectory, RedirectStandardOutput = redirect, RedirectStandardError = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["SATSR_ROOT"] = root;
        return Process.Start(info) ?? throw new SatSRException("cannot start dotnet");
    }

    /// <summary>Missing, or older than a source file of the trainer or of the library it uses.</summary>
    private static bool IsStale(string root, string dll)
    {
        if (!File.Exists(dll)) return true;
        var built = File.GetLastWriteTimeUtc(dll);
        string[] sources = [Path.Combine(root, "src", "SatSR.Training"), Path.Combine(root, "src", "SatSR")];
        return sources.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Append(Path.Combine(root, "Directory.Packages.props"))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }
}
