using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Cli;

/// <summary>`repro run` with only what it needs: every unit of the definition's own seeds runs (absent options take their defaults).</summary>
[Collection(TorchCollection.Name)]
public class RunWithoutOptionsTests
{
    [Fact]
    public void A_definition_run_without_seeds_runs_every_row_of_its_own_seeds()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "run");
        using var run = ReproProcess.Start(["run", "--definition", "quick", "--out", dir, "--device", "cpu",
            "--set", "width=8", "--set", "trainSubset=128", "--set", "testSubset=1000", "--set", "epochs=1", "--set", "milestones=[]", "--set", "batchSize=64"]);
        Assert.True(run.Wait(TimeSpan.FromMinutes(3)) == 0, run.Output);
        var quick = ExperimentDefinition.LoadNamed("quick");
        var finished = ResultsFolder.FindFinished(dir).Select(u => (u.Result.Row, u.Result.Seed)).Order().ToList();
        Assert.Equal(quick.TrainedRows.SelectMany(r => quick.Seeds.Select(s => (r.Name, s))).Order(), finished);
        Assert.Contains("(3 of 3 units", run.Output);
    }
}
