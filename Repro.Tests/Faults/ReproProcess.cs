using System.Diagnostics;
using System.Text;
using Repro.Data;

namespace Repro.Tests.Faults;

/// <summary>
/// The `repro` command line (the repro.dll built beside the tests) as a child process, so a test can kill it with
/// SIGKILL at any moment, run two at once, or run it inside a mount namespace — faults an in-process test cannot make.
/// </summary>
public sealed class ReproProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "repro.dll");

    /// <summary>
    /// The tiny multi-unit run the fault tests share: the quick rows at width 8 on 256 images, 3 epochs. Not narrower:
    /// oneDNN computes wrong input gradients for convolutions with fewer channels than its AVX2 vector (8 floats), and at
    /// width 4 the same unit finished in one run and went NaN in another (docs/reproducible-cpu.md). Each unit scores 1,000
    /// images of each test set (testSubset): scoring all 20,000 with ten scores took most of a unit's time.
    /// </summary>
    public static string[] TinyRunArgs(string outDir, string seeds) =>
    [
        "run", "--definition", "quick", "--seeds", seeds, "--out", outDir, "--device", "cpu",
        "--set", "width=8", "--set", "trainSubset=256", "--set", "testSubset=1000", "--set", "epochs=3", "--set", "milestones=[2]", "--set", "batchSize=64",
    ];

    private ReproProcess(ProcessStartInfo psi)
    {
        process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts `repro args…`; <paramref name="crashAt"/> sets REPRO_CRASH_AT (see Platform/CrashPoint.cs).</summary>
    public static ReproProcess Start(IEnumerable<string> args, string? crashAt = null) =>
        StartCommand("dotnet", ["exec", Dll, .. args], crashAt);

    /// <summary>Starts any command with the data directory and crash point set as for repro.</summary>
    public static ReproProcess StartCommand(string file, IEnumerable<string> args, string? crashAt = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[DataPaths.EnvironmentVariable] = DataPaths.Root();
        psi.Environment[Platform.CrashPoint.EnvironmentVariable] = crashAt ?? "";
        // One intra-op thread per process: two runners at libtorch's default (one thread per core) on a 2-core machine
        // spin against each other — measured 2 min 22 s each instead of 21 s. Every faulted and reference run uses the
        // same setting, so their results can be compared bit for bit.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        return new ReproProcess(psi);
    }

    public string Output { get { lock (output) return output.ToString(); } }
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>Waits for exit (failing the test after <paramref name="timeout"/>); returns the exit code.</summary>
    public int Wait(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"repro did not finish within {timeout}:\n{Output}");
        }
        process.WaitForExit();   // drains the output readers
        return process.ExitCode;
    }

    /// <summary>SIGKILL (kill -9): no handler, no flush, no cleanup.</summary>
    public void Kill()
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) Kill();
        process.Dispose();
    }
}
