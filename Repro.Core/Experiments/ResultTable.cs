using Repro.Runs;

namespace Repro.Experiments;

/// <summary>A run's rows summarized over seeds, for the quickstart's table and a reference file (Cli/Tables/ResultTableText.cs prints them).</summary>
public static class ResultTable
{
    /// <summary>
    /// Per row of <paramref name="results"/> (in the order the units came) and OoD set it was evaluated on, its own
    /// score's line. No definition is needed: a row is what its units name, judged by their primary score.
    /// </summary>
    public static IReadOnlyList<RowSummary> Summarize(IEnumerable<UnitResult> results) =>
        results.GroupBy(r => r.Row).SelectMany(units =>
        {
            var first = units.First();
            var row = TableRow.Of(new RowDefinition(units.Key, units.Key, first.PrimaryScore, null, null), units.ToList(), first.Ood.Keys, []);
            return first.Ood.Keys.Select(ood =>
            {
                var own = row.Own(ood);
                return new RowSummary(units.Key, first.PrimaryScore, ood, own.Auroc.Count, own.Auroc.Mean, own.Auroc.Min, own.Auroc.Max,
                    own.Fpr95.Mean, row.AccuracySeeds.Mean);
            });
        }).ToList();

}
