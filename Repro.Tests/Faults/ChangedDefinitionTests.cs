using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>Results made under one set of hyperparameters are never mixed with a changed definition's.</summary>
public class ChangedDefinitionTests
{
    [Fact]
    public void A_changed_row_under_the_same_name_is_refused_naming_the_key()
    {
        using var temp = new TempDir();
        var row = TinyRun.Config("l2");
        ResultsManifest.Record(temp.Path, new Experiment("x", "first", [row], [0]).Manifest());
        // More seeds of the same rows, or another device, are the same experiment.
        var merged = ResultsManifest.Record(temp.Path, new Experiment("x", "first", [row with { Device = "cuda:1" }], [1, 2]).Manifest());
        Assert.Equal([0, 1, 2], merged.Seeds);

        var changed = new Experiment("x", "changed", [row with { WeightDecay = 1e-3 }], [0]);
        var e = Assert.Throws<ReproException>(() => ResultsManifest.Record(temp.Path, changed.Manifest()));
        Assert.Contains("row 'l2'", e.Message);
        Assert.Contains("weightDecay", e.Message);
        Assert.Contains(ResultsManifest.FileName, e.Message);
    }
}
