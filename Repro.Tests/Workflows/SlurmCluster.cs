using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Repro.Tests.Faults;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// A real one-node Slurm cluster on this machine, all of it in a temp folder: munged with a freshly generated key and
/// its own socket, slurmctld and slurmd (in the foreground, -D) from a slurm.conf written here for 127.0.0.1 on free
/// ports, run as the current user (root or not). Commands get <see cref="Environment"/> (SLURM_CONF). Disposing kills
/// every process that carries this cluster's marker variable — the daemons, the job steps slurmd forked off and the
/// jobs' own processes, which inherit it through sbatch — found by id in /proc, even when the test failed.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private const string MarkerVariable = "REPRO_SLURM_TEST";
    private const string NodeName = "repro-node";
    private readonly TempDir temp = new();
    private readonly List<ReproProcess> daemons = [];

    /// <summary>The daemon's full path, from PATH or the sbin folders (not on a non-root user's PATH); null if absent.</summary>
    public static string? Find(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"])
            .Where(dir => dir.Length > 0).Select(dir => System.IO.Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    public string Conf => temp.File("slurm.conf");
    public IReadOnlyDictionary<string, string> Environment { get; }

    [SupportedOSPlatform("linux")]
    public SlurmCluster()
    {
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = Conf, [MarkerVariable] = temp.Path };
        try { Start(); }
        catch { Dispose(); throw; }
    }

    [SupportedOSPlatform("linux")]
    private void Start()
    {
        // munged refuses a socket whose folders are not searchable by everyone (temp folders are created 0700).
        var rx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                 UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(temp.Path, rx);
        foreach (var dir in new[] { "munge", "state", "spool", "log" }) Directory.CreateDirectory(temp.File(dir), rx);
        var key = temp.File("munge/munge.key");
        if (Run(Require("mungekey"), "--create", $"--keyfile={key}") is { Code: not 0 } failed)
            throw new Xunit.Sdk.XunitException($"mungekey failed:\n{failed.Output}");
        daemons.Add(ReproProcess.StartCommand(Require("munged"), ["--foreground", $"--key-file={key}", $"--socket={temp.File("munge/socket")}",
            $"--pid-file={temp.File("munge/munged.pid")}", $"--log-file={temp.File("log/munged.log")}", $"--seed-file={temp.File("munge/seed")}"],
            environment: Environment));
        WaitFor(() => File.Exists(temp.File("munge/socket")), TimeSpan.FromSeconds(15), "munged did not create its socket");

        var user = System.Environment.UserName;
        var ports = FreePorts(2);
        File.WriteAllText(Conf, $"""
            ClusterName=repro-test
            SlurmctldHost=localhost
            SlurmctldPort={ports[0]}
            SlurmdPort={ports[1]}
            SlurmUser={user}
            SlurmdUser={user}
            AuthType=auth/munge
            AuthInfo=socket={temp.File("munge/socket")}
            CredType=cred/munge
            MailProg=/bin/true
            StateSaveLocation={temp.File("state")}
            SlurmdSpoolDir={temp.File("spool")}
            SlurmctldPidFile={temp.File("slurmctld.pid")}
            SlurmdPidFile={temp.File("slurmd.pid")}
            SlurmctldLogFile={temp.File("log/slurmctld.log")}
            SlurmdLogFile={temp.File("log/slurmd.log")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            MpiDefault=none
            ReturnToService=2
            NodeName={NodeName} NodeAddr=127.0.0.1 CPUs={System.Environment.ProcessorCount} State=UNKNOWN
            PartitionName=repro Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP

            """);
        daemons.Add(ReproProcess.StartCommand(Require("slurmctld"), ["-D", "-f", Conf], environment: Environment));
        // -N: the node's name is the config's, not this machine's host name.
        daemons.Add(ReproProcess.StartCommand(Require("slurmd"), ["-D", "-N", NodeName, "-f", Conf], environment: Environment));
        WaitFor(() => Run("sinfo", "-h", "-o", "%T").Output.Trim() == "idle", TimeSpan.FromSeconds(60), "the node did not come up idle");
    }

    private static string Require(string name) =>
        Find(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not installed: run ./setup.sh (apt: slurm-wlm, munge)");

    /// <summary>Ports free now, all different: held open together, then released for the daemons.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Dispose());
        return ports;
    }

    /// <summary>Runs a command with the cluster's environment; its exit code and output.</summary>
    public (int Code, string Output) Run(string file, params string[] args)
    {
        using var process = ReproProcess.StartCommand(file, args, environment: Environment);
        var code = process.Wait(TimeSpan.FromMinutes(2));
        return (code, process.Output);
    }

    /// <summary>Polls <paramref name="done"/> every half second; fails naming <paramref name="what"/>, with the logs.</summary>
    public void WaitFor(Func<bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (daemons.Any(d => d.HasExited)) throw new Xunit.Sdk.XunitException($"{what}: a daemon exited:\n{Logs()}");
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{what} within {timeout}:\n{Logs()}");
            Thread.Sleep(500);
        }
    }

    /// <summary>What to read when something failed: the queue, the daemons' output and their log files.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        if (File.Exists(Conf)) text.AppendLine("--- squeue\n" + Run("squeue", "-a").Output + "--- scontrol show job\n" + Run("scontrol", "show", "job").Output);
        foreach (var daemon in daemons) text.AppendLine("--- daemon output\n" + daemon.Output);
        foreach (var log in Directory.GetFiles(temp.File("log"))) text.AppendLine($"--- {log}\n{File.ReadAllText(log)}");
        return text.ToString();
    }

    public void Dispose()
    {
        // Every process carrying this cluster's marker, by id: slurmd's job steps detach from it, so killing the
        // daemons' process trees alone could leave a job running.
        for (var round = 0; round < 5 && KillMarked() > 0; round++) Thread.Sleep(200);
        foreach (var daemon in daemons) daemon.Dispose();
        temp.Dispose();
    }

    private int KillMarked()
    {
        var marker = Encoding.UTF8.GetBytes($"{MarkerVariable}={temp.Path}\0");
        var killed = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid) || pid == System.Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllBytes(System.IO.Path.Combine(dir, "environ")).AsSpan().IndexOf(marker) < 0) continue;
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                killed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                          or System.ComponentModel.Win32Exception) { }   // gone, or not ours
        }
        return killed;
    }
}
