using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SatSR.Tests.Shards;

/// <summary>
/// A throwaway one-node Slurm on localhost (Debian 12's slurmctld and slurmd, 22.05): its own slurm.conf, state and
/// logs in a test folder, <c>AuthType=auth/none</c> (no munged), no systemd; the daemons run in the foreground as
/// children of the test, so they are stopped by their PIDs, and the folder goes with the test run's.
/// Pitfalls handled: <c>SelectTypeParameters=CR_Core</c> (else tasks run one at a time), short scheduler intervals,
/// and <c>SLURM_CONF</c> in the environment of every client (<see cref="Environment"/>).
/// </summary>
internal sealed class LocalSlurm : IDisposable
{
    private readonly List<Process> _daemons = [];

    private LocalSlurm(string folder) => Folder = folder;

    public string Folder { get; }
    public string Conf => Path.Combine(Folder, "slurm.conf");

    /// <summary>What a client needs in its environment to talk to this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SLURM_CONF"] = Conf };

    public static LocalSlurm Start(string folder)
    {
        foreach (var tool in new[] { "slurmctld", "slurmd", "sbatch", "squeue", "sinfo" })
        {
            Assert.True(Which(tool), $"{tool} is missing: apt-get install slurmctld slurmd slurm-client (tools/test installs them)");
        }
        var slurm = new LocalSlurm(folder);
        try
        {
            foreach (var sub in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(folder, sub));
            var ctld = FreePort();
            var node = FreePort();
            while (node == ctld) node = FreePort();
            File.WriteAllText(slurm.Conf, $"""
                ClusterName=satsrtest
                SlurmctldHost=localhost(127.0.0.1)
                SlurmctldPort={ctld}
                SlurmdPort={node}
                SlurmUser=root
                SlurmdUser=root
                AuthType=auth/none
                CredType=cred/none
                AuthInfo=cred_expire=5
                StateSaveLocation={folder}/state
                SlurmdSpoolDir={folder}/spool
                SlurmctldPidFile={folder}/slurmctld.pid
                SlurmdPidFile={folder}/slurmd.pid
                SlurmctldLogFile={folder}/log/slurmctld.log
                SlurmdLogFile={folder}/log/slurmd.log
                ProctrackType=proctrack/linuxproc
                TaskPlugin=task/none
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core
                JobAcctGatherType=jobacct_gather/none
                AccountingStorageType=accounting_storage/none
                JobCompType=jobcomp/none
                MpiDefault=none
                MailProg=/bin/true
                ReturnToService=2
                SchedulerParameters=batch_sched_delay=0,bf_interval=1,sched_min_interval=0,sched_interval=1
                NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
                PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

                """);
            // -D: in the foreground, so the process started is the daemon and its PID is the one to stop.
            slurm.Daemon("slurmctld", "-D", "-i");
            slurm.Daemon("slurmd", "-D", "-N", "localhost");
            var clock = Stopwatch.StartNew();
            while (slurm.Run("sinfo", "-h", "-n", "localhost", "-o", "%t").Output.Trim() != "idle")
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(3))   // a hang guard; it takes a second or two
                {
                    Assert.Fail($"the Slurm node never became idle: {File.ReadAllText(Path.Combine(folder, "log", "slurmctld.log"))}");
                }
                Thread.Sleep(100);
            }
            return slurm;
        }
        catch
        {
            slurm.Dispose();
            throw;
        }
    }

    /// <summary>Runs a client (sbatch, squeue, …, or a script that calls them) against this cluster.</summary>
    public (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) info.Environment[k] = v;
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A hang guard: a client answers in well under a second.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill();
            Assert.Fail($"{file} {string.Join(' ', args)} did not end within 5 minutes");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Waits until the cluster has no job left (queued or running).</summary>
    public void WaitForEmptyQueue(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Run("squeue", "-h").Output.Trim().Length > 0)
        {
            Assert.True(clock.Elapsed < timeout, $"Slurm jobs still queued after {timeout}: {Run("squeue").Output}");
            Thread.Sleep(200);
        }
    }

    private void Daemon(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = Conf;
        var process = Process.Start(info)!;
        // Drained so that a chatty daemon never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    /// <summary>Stops the daemons by PID, last started first (slurmd before slurmctld), and removes the cluster's folder.</summary>
    public void Dispose()
    {
        // Jobs left by a failed test go first, so that no job step outlives its daemon.
        if (_daemons.Count == 2 && !_daemons[0].HasExited)
        {
            Run("scancel", "--quiet", "--user=root");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10) && Run("squeue", "-h").Output.Trim().Length > 0) Thread.Sleep(200);
        }
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            var daemon = _daemons[i];
            if (!daemon.HasExited)
            {
                daemon.Kill();
                daemon.WaitForExit();
            }
            daemon.Dispose();
        }
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Which(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));
}
