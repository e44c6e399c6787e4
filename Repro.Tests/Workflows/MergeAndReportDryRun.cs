using Repro.Data;
using Repro.Runs;
using Repro.Experiments;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// The reproduction workflow's merge-and-report job run locally, as the workflow runs it
/// (scripts/merge-and-report.sh), on two real shard folders made by `repro run --definition … --shard i/2`.
/// </summary>
[Collection(TorchCollection.Name)]
public class MergeAndReportDryRun
{
    [Fact]
    public void Two_shard_folders_merge_into_one_table_and_report()
    {
        using var temp = new TempDir();
        var repo = DataPaths.RepositoryRoot()!;
        var definition = Path.Combine(repo, "experiments", "fmnist.json");
        var shards = new[] { 1, 2 }.Select(i => Path.Combine(temp.Path, $"shard-{i}")).ToArray();
        foreach (var (dir, i) in shards.Select((d, i) => (d, i + 1)))
        {
            using var run = ReproProcess.Start(["run", "--definition", definition, "--shard", $"{i}/2", "--seeds", "0", "--out", dir,
                "--device", "cpu", "--set", "width=8", "--set", "trainSubset=256", "--set", "testSubset=1000", "--set", "epochs=2", "--set", "milestones=[1]"]);
            Assert.True(run.Wait(TimeSpan.FromMinutes(3)) == 0, run.Output);
        }
        Assert.Equal([2, 1], shards.Select(s => ResultsFolder.FindFinished(s).Count));

        var out_ = Path.Combine(temp.Path, "out");
        using (var job = ReproProcess.StartCommand("bash", [Path.Combine(repo, "scripts", "merge-and-report.sh"), definition, out_, .. shards],
                   environment: new Dictionary<string, string> { ["REPRO"] = $"dotnet exec {ReproProcess.Dll}" }))
            Assert.True(job.Wait(TimeSpan.FromMinutes(2)) == 0, job.Output);

        var merged = ResultsFolder.FindFinished(Path.Combine(out_, "results"));
        Assert.Equal(["l2", "logitnorm", "no-l2"], merged.Select(u => u.Result.Row).Order());
        var table = File.ReadAllText(Path.Combine(out_, "table.txt"));
        foreach (var label in new[] { "LogitNorm 15", "L2 15 Mag", "No L2 15 Mag" }) Assert.Contains(label, table);
        Assert.Contains("1/5", table);   // one of the definition's five seeds, per row
        var html = File.ReadAllText(Path.Combine(out_, "site", "index.html"));
        Assert.Contains("Units finished: 3 of 15", html);
        Assert.Contains("experiments/fmnist.json", html);

        // Merging again is a no-op, and a shard with a different recipe for the same unit is refused.
        using (var again = ReproProcess.Start(["merge", "--into", Path.Combine(out_, "results"), .. shards]))
        {
            Assert.True(again.Wait(TimeSpan.FromMinutes(1)) == 0, again.Output);
            Assert.Contains("merged 0 unit(s)", again.Output);
        }
        var unit = Path.Combine(ResultsFolder.FindFinished(shards[0])[0].Dir, Runs.UnitFiles.Config);
        File.WriteAllText(unit, File.ReadAllText(unit).Replace("\"epochs\": 2", "\"epochs\": 3"));
        using var conflict = ReproProcess.Start(["merge", "--into", Path.Combine(out_, "results"), shards[0]]);
        Assert.Equal(1, conflict.Wait(TimeSpan.FromMinutes(1)));
        Assert.Contains("different configs", conflict.Output);
    }
}
