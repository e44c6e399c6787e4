using System.Diagnostics;

namespace Repro.Runs;

/// <summary>What a result was made with: source commit and library versions, recorded in every unit's metrics.json.</summary>
public static class Provenance
{
    public static IReadOnlyDictionary<string, string> Versions() => new Dictionary<string, string>
    {
        ["commit"] = ProcessCommit.Value,
        ["repro"] = typeof(Provenance).Assembly.GetName().Version?.ToString() ?? "?",
        ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
        ["libtorch"] = TorchSharp.torch.__version__,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["mallocTuned"] = Platform.NativeAllocator.Tuned.ToString(),
        ["cpu"] = Platform.ReproducibleCpu.CpuName(),
        ["cpuMode"] = Platform.ReproducibleCpu.Describe(),
        ["atenCpuCapability"] = Platform.ReproducibleCpu.AtenCapability() ?? "unknown",
        ["intraOpThreads"] = TorchSharp.torch.get_num_threads().ToString(),
    };

    /// <summary>
    /// The commit this process runs, read once when first asked (the CLI asks at start): units finishing hours later
    /// must not record whatever the checkout has moved to meanwhile (seen: one run's units recorded three commits).
    /// </summary>
    public static readonly Lazy<string> ProcessCommit =
        new(() => Commit(Data.DataPaths.RepositoryRoot(), Environment.GetEnvironmentVariable("REPRO_COMMIT")));

    /// <summary>
    /// The repository's commit, "-dirty" when it has uncommitted changes (a result from edited code is not that
    /// commit's); "unknown" outside a git checkout. <paramref name="built"/> ($REPRO_COMMIT for the process), when set,
    /// wins: a published build run where there is no checkout (the GPU kit, scripts/gpu-kit.sh) carries its commit.
    /// </summary>
    public static string Commit(string? repositoryRoot, string? built = null)
    {
        if (built is { Length: > 0 }) return built;
        if (repositoryRoot is null) return "unknown";
        try
        {
            var psi = new ProcessStartInfo("git", "describe --always --dirty --abbrev=12")
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repositoryRoot };
            using var git = Process.Start(psi)!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown"; }
    }
}
