using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Repro.Data;
using Repro.Runs;
using Repro.Experiments;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// scripts/slurm/ on a real one-node Slurm cluster (<see cref="SlurmCluster"/>): submit.sh sends a tiny definition as a
/// two-task job array and the merge-and-report job after it; the merged table must be the table of the same definition
/// run here unsharded, and every unit's score files byte for byte the same (CPU runs are deterministic).
/// </summary>
[Collection(TorchCollection.Name)]
[Trait("Category", "Slurm")]
[SupportedOSPlatform("linux")]
public class SlurmTests(ITestOutputHelper log)
{
    /// <summary>ReproProcess.TinyRunArgs' settings on one seed: the quick rows' three units, dealt 2 + 1 to two shards.</summary>
    private static readonly string[] Tiny = ["--seeds", "0", "--device", "cpu", "--set", "width=8", "--set", "trainSubset=256", "--set", "testSubset=1000",
        "--set", "epochs=3", "--set", "milestones=[2]", "--set", "batchSize=64"];

    [Fact]
    public void Job_array_and_dependent_merge_give_the_local_runs_table()
    {
        // Skipped, saying why, only where Slurm is not installed (./setup.sh installs it where apt is).
        Assert.SkipWhen(SlurmCluster.Find("slurmctld") is null, "Slurm is not installed (no slurmctld): ./setup.sh installs it with apt (slurm-wlm, munge)");
        var clock = Stopwatch.StartNew();
        using var temp = new TempDir();
        var repo = DataPaths.RepositoryRoot()!;
        var definition = Path.Combine(repo, "experiments", "quick.json");
        var local = Path.Combine(temp.Path, "local");
        var out_ = Path.Combine(temp.Path, "slurm");
        using var cluster = new SlurmCluster();
        log.WriteLine($"cluster up after {clock.Elapsed.TotalSeconds:F1} s");

        // The unsharded run goes beside the cluster's jobs: on two cores that is most of the test's time saved.
        using var localRun = ReproProcess.Start(["run", "--definition", definition, "--out", local, .. Tiny]);
        var environment = new Dictionary<string, string>(cluster.Environment) { ["REPRO"] = $"dotnet exec {ReproProcess.Dll}" };
        using (var submit = ReproProcess.StartCommand("bash", [Path.Combine(repo, "scripts", "slurm", "submit.sh"), definition, out_, "2", .. Tiny],
                   environment: environment))
        {
            Check(submit.Wait(TimeSpan.FromMinutes(1)) == 0, () => submit.Output + cluster.Logs());
            Assert.Matches(@"shards: job \d+ \(array 1-2\); merge and report: job \d+", submit.Output);
        }
        cluster.WaitFor(() => cluster.Run("squeue", "-h", "-o", "%i").Output.Trim().Length == 0, TimeSpan.FromMinutes(5),
            "the shard and merge jobs did not leave the queue");
        log.WriteLine($"jobs done after {clock.Elapsed.TotalSeconds:F1} s");

        // Finished jobs stay in slurmctld's memory for MinJobAge (300 s): two array tasks and the merge, all COMPLETED.
        var jobs = cluster.Run("scontrol", "-o", "show", "job").Output;
        var states = Regex.Matches(jobs, @"JobName=(\S+).*? JobState=(\S+)").Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").Order();
        Check(states.SequenceEqual(["repro-merge COMPLETED", "repro-shard COMPLETED", "repro-shard COMPLETED"]),
            () => $"{string.Join(", ", states)}\n{JobLogs(out_)}{cluster.Logs()}");
        Assert.Equal([2, 1], new[] { 1, 2 }.Select(i => ResultsFolder.FindFinished(Path.Combine(out_, $"shard-{i}")).Count));
        Check(File.Exists(Path.Combine(out_, "site", "index.html")), () => JobLogs(out_));

        Assert.True(localRun.Wait(TimeSpan.FromMinutes(3)) == 0, localRun.Output);
        using var table = ReproProcess.Start(["table", "--definition", definition, "--from", local]);
        Assert.True(table.Wait(TimeSpan.FromMinutes(1)) == 0, table.Output);
        // `repro table` prints no wall time, path or date, so nothing is run-specific: the tables must be equal as printed.
        Assert.Equal(Lines(table.Output), Lines(File.ReadAllText(Path.Combine(out_, "table.txt"))));
        var units = ResultsFolder.FindFinished(local);
        Assert.Equal(3, units.Count);
        foreach (var unit in units)
        foreach (var scores in Directory.GetFiles(Path.Combine(unit.Dir, "scores")))
        {
            var merged = Path.Combine(out_, "results", Path.GetRelativePath(local, scores));
            Assert.True(File.ReadAllBytes(scores).AsSpan().SequenceEqual(File.ReadAllBytes(merged)), $"{merged} differs from {scores}");
        }
        log.WriteLine($"done after {clock.Elapsed.TotalSeconds:F1} s\n{File.ReadAllText(Path.Combine(out_, "table.txt"))}");
    }

    /// <summary>Assert.True with a message made only on failure (it runs Slurm's commands and reads every log).</summary>
    private static void Check(bool ok, Func<string> why)
    {
        if (!ok) Assert.Fail(why());
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    private static string JobLogs(string out_) =>
        !Directory.Exists(Path.Combine(out_, "logs")) ? "(no job logs)\n" : string.Concat(Directory.GetFiles(Path.Combine(out_, "logs")).Order().Select(f => $"--- {f}\n{File.ReadAllText(f)}\n"));
}
