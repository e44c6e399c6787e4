using Repro.Cli.Tables;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Runs;
using Snapshooter.Xunit3;
using Xunit;

namespace Repro.Tests.Snapshots;

/// <summary>The printed results table, with and without a reference, so a PR shows table changes as a diff.</summary>
public class TableSnapshots
{
    private static UnitResult Unit(string row, int seed, string score, double auroc, double accuracy) => new(
        row, seed, score, accuracy,
        new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
        {
            ["mnist"] = new Dictionary<string, OodMetrics> { [score] = new(auroc, 1 - auroc, auroc, auroc) },
        },
        [], 10, 12, "CPU (test)", new Dictionary<string, string> { ["commit"] = "abc1234" }, new Dictionary<string, string>(),
        new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

    private static readonly UnitResult[] Units =
    [
        Unit("l2", 0, "feature_norm", 0.90, 0.91), Unit("l2", 1, "feature_norm", 0.80, 0.93),
        Unit("no-l2", 0, "feature_norm", 0.55, 0.92), Unit("logitnorm", 0, "msp", 0.70, 0.90),
    ];

    /// <summary>A full-budget run of its own: other values, more seeds, and no logitnorm row (its cells must read "—").</summary>
    private static readonly UnitResult[] ReferenceUnits =
    [
        Unit("l2", 0, "feature_norm", 0.97, 0.96), Unit("l2", 1, "feature_norm", 0.95, 0.95), Unit("l2", 2, "feature_norm", 0.93, 0.97),
        Unit("no-l2", 0, "feature_norm", 0.65, 0.94), Unit("no-l2", 1, "feature_norm", 0.75, 0.92),
    ];

    [Fact]
    public void Summary_takes_mean_min_max_over_seeds()
    {
        var l2 = ResultTable.Summarize(Units).Single(r => r.Row == "l2");
        Assert.Equal((0.85, 0.80, 0.90, 2), (Math.Round(l2.AurocMean, 12), l2.AurocMin, l2.AurocMax, l2.Seeds));
        Assert.Equal(0.92, l2.AccuracyMean, 12);
    }

    [Fact]
    public void Table_without_and_with_reference()
    {
        var rows = ResultTable.Summarize(Units);
        var reference = ReferenceResults.FromResults("fmnist", "width 64, 15 epochs", ReferenceUnits);
        Snapshot.Match(new
        {
            withoutReference = ResultTableText.Format("quick", rows, null, "fmnist").Split('\n'),
            withReference = ResultTableText.Format("quick", rows, reference, "fmnist").Split('\n'),
        });
    }

    [Fact]
    public void A_reference_of_another_definition_version_is_labelled_as_another_models()
    {
        var rows = ResultTable.Summarize(Units);
        var reference = ReferenceResults.FromResults("fmnist", "width 64, 15 epochs", ReferenceUnits, definitionVersion: 1);
        var current = ResultTableText.Format("quick", rows, reference, "fmnist", currentVersion: 1);
        Assert.Contains("ref AUROC (min–max)", current);
        Assert.DoesNotContain("v1 ref", current);
        var stale = ResultTableText.Format("quick", rows, reference, "fmnist", currentVersion: 2);
        Assert.Contains("v1 ref AUROC (min–max)", stale);
        Assert.Contains("measured under `fmnist` definition version 1, a different model from the current version 2, which has no reference yet", stale);
    }
}
