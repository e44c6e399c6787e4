using Repro.Experiments;
using Repro.Reporting;
using Repro.Runs;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>A unit that diverges stops with its reason recorded; the other units go on; the report shows it failed.</summary>
[Collection(TorchCollection.Name)]
public class DivergenceTests
{
    [Fact]
    public void A_diverging_unit_is_recorded_as_failed_and_the_rest_go_on()
    {
        using var temp = new TempDir();
        var ok = TinyRun.Config("ok");
        var diverging = ok with { Row = "diverges", LearningRate = 1e6 };
        var experiment = new Experiment("divergence", "one diverging row", [diverging, ok], [1]);
        var log = new List<string>();

        var outcome = ExperimentRunner.Run(experiment, temp.Path, TinyRun.Data, _ => IProgressSink.Silent, log.Add);

        var failure = Assert.Single(outcome.Failed);
        Assert.Equal("diverges", failure.Row);
        Assert.Contains("training diverged", failure.Reason);
        Assert.Contains($"epoch {failure.Epoch}", failure.Reason);
        Assert.Equal("ok", Assert.Single(outcome.Finished).Row);
        var unitDir = Path.Combine(temp.Path, "diverges", "seed-1");
        Assert.True(File.Exists(Path.Combine(unitDir, UnitFailure.FileName)));
        Assert.False(File.Exists(Path.Combine(unitDir, UnitFiles.Metrics)));

        // A rerun does not silently retry it, and says how to.
        log.Clear();
        var again = ExperimentRunner.Run(experiment, temp.Path, TinyRun.Data, _ => IProgressSink.Silent, log.Add);
        Assert.Single(again.Failed);
        Assert.Contains(log, l => l.Contains("failed earlier") && l.Contains($"delete {unitDir}"));

        var (model, inputs) = ReportModel.Build(temp.Path);
        Assert.Equal(["diverges seed 1: " + failure.Reason], model.Failed);
        Assert.Contains("FAILED — diverges seed 1", HtmlReport.Render(model, inputs, DateTimeOffset.UnixEpoch, "test"));
        Assert.Equal(0, model.Table.Single(t => t.Row == "diverges").SeedsFinished);
    }

    [Fact]
    public void A_kill_while_a_failure_is_recorded_leaves_the_unit_to_fail_again_cleanly()
    {
        using var temp = new TempDir();
        string[] args = [.. ReproProcess.TinyRunArgs(temp.Path, "0"), "--set", "learningRate=1e30", "--set", "epochs=1", "--set", "milestones=[]"];
        using (var killed = ReproProcess.Start(args, crashAt: "failure.rename:1"))
            Assert.True(killed.Wait(TimeSpan.FromMinutes(2)) == 137, killed.Output);

        using var rerun = ReproProcess.Start(args);
        Assert.True(rerun.Wait(TimeSpan.FromMinutes(2)) == 3, rerun.Output);   // 3: finished, with failed units
        foreach (var row in new[] { "l2", "no-l2", "logitnorm" })
        {
            var unit = Path.Combine(temp.Path, row, "seed-0");
            Assert.True(File.Exists(Path.Combine(unit, UnitFailure.FileName)), $"{unit}: no failure.json\n{rerun.Output}");
            Assert.False(Directory.Exists(unit + ".partial"), $"{unit}.partial left behind");
            Assert.False(Directory.Exists(Path.Combine(unit, "checkpoint")), $"{unit}: checkpoint kept");
        }
    }

    [Fact]
    public void A_non_finite_weight_is_found_by_name()
    {
        var config = TinyRun.Config();
        using var model = new Repro.Model.ResNet18(config.ModelSpecFor(Repro.Data.DataCatalog.FashionMnist));
        Assert.Null(Trainer.NonFiniteParameter(model));
        var (name, p) = model.named_parameters().Last();
        using (TorchSharp.torch.no_grad()) p.view(-1)[0] = TorchSharp.torch.tensor(double.PositiveInfinity);
        Assert.Equal(name, Trainer.NonFiniteParameter(model));
    }
}
