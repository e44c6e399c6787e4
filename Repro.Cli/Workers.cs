using System.Diagnostics;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Cli;

/// <summary>
/// `repro run --workers N`: N−1 copies of this command run beside it on the same results folder; the runner's unit
/// claims (Runs/UnitClaim.cs) give each unit to exactly one of them. Their output goes to &lt;out&gt;/.workers/worker-k.log.
/// On the CPU the cores are split between the workers — at libtorch's default thread count they spin against each
/// other (two runners on 2 cores: 2 min 22 s each instead of 21 s).
/// </summary>
internal static class Workers
{
    public static IReadOnlyList<(Process Process, StreamWriter Log)> Start(IReadOnlyList<string> runArgs, string outDir, int workers, Device device)
    {
        var threads = Math.Max(1, Environment.ProcessorCount / workers);
        if (device.type == TorchSharp.DeviceType.CPU) Platform.ReproducibleCpu.SetThreads(threads);
        var logs = Directory.CreateDirectory(Runs.ResultsFolder.RequireInside(outDir, Path.Combine(outDir, ".workers"))).FullName;
        var args = WithoutWorkers(runArgs).Concat(["--out", outDir]).ToList();
        var started = new List<(Process, StreamWriter)>();
        for (int k = 2; k <= workers; k++)
        {
            var psi = Self(args);
            psi.RedirectStandardOutput = psi.RedirectStandardError = true;
            var process = Process.Start(psi)!;
            var log = new StreamWriter(Path.Combine(logs, $"worker-{k}.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            started.Add((process, log));
            Console.WriteLine($"worker {k}/{workers} started (pid {process.Id}, log {Path.Combine(logs, $"worker-{k}.log")})");
        }
        return started;
    }

    /// <summary>Waits for the other workers; their worst exit status (0 when there were none).</summary>
    public static int Wait(IReadOnlyList<(Process Process, StreamWriter Log)> workers)
    {
        int worst = 0;
        foreach (var (p, log) in workers)
        {
            p.WaitForExit();   // also waits for the output readers, so the log is complete
            lock (log) log.Dispose();
            if (p.ExitCode != 0) Console.Error.WriteLine($"worker pid {p.Id} exited with status {p.ExitCode} (see its log)");
            worst = Math.Max(worst, p.ExitCode);
            p.Dispose();
        }
        return worst;
    }

    private static IEnumerable<string> WithoutWorkers(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "--workers" or "--out") { i++; continue; }
            yield return args[i];
        }
    }

    /// <summary>This same program: the apphost, or `dotnet exec repro.dll` when started through dotnet.</summary>
    private static ProcessStartInfo Self(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(typeof(Workers).Assembly.Location);
        }
        psi.ArgumentList.Add("run");
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
