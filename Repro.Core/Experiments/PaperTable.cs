using System.Globalization;
using Repro.Runs;

namespace Repro.Experiments;

/// <summary>
/// One row over the seeds that finished: the ID accuracy, and per OoD set every registered score's AUROC, FPR95 and
/// test-set error (<see cref="EveryScore"/>: the row × score grid, the row's own score among them). The one aggregation
/// of units over seeds: the paper-shaped table, the run's summary and references, and measured bands all read it.
/// </summary>
public sealed record TableRow(RowDefinition Definition, IReadOnlyList<int> FinishedSeeds, IReadOnlyList<int> MissingSeeds,
    SeedValues AccuracySeeds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, ScoreSeeds>> EveryScore)
{
    /// <param name="units">The row's finished units, one per seed.</param>
    /// <param name="groups">Columns that are the mean over several sets (<see cref="ExperimentDefinition.OodGroups"/>).</param>
    public static TableRow Of(RowDefinition row, IReadOnlyCollection<UnitResult> units, IEnumerable<string> oodSets, IEnumerable<int> plannedSeeds,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? groups = null)
    {
        // The row's own score is one of the grid's cells (a definition may still name one the registry lacks).
        var scores = Scores.ScoreRegistry.Names.Append(row.Score).Distinct().ToList();
        var finished = units.Select(u => u.Seed).Order().ToList();
        return new TableRow(row, finished, plannedSeeds.Except(finished).ToList(), SeedValues.Of(units, u => u.Accuracy),
            oodSets.ToDictionary(ood => ood, ood => (IReadOnlyDictionary<string, ScoreSeeds>)
                scores.ToDictionary(score => score, score => groups is not null && groups.TryGetValue(ood, out var sets)
                    ? ScoreSeeds.MeanOver(units, sets, score) : ScoreSeeds.Of(units, ood, score))));
    }

    /// <summary>The row's own score on <paramref name="ood"/>, the one it is judged by.</summary>
    public ScoreSeeds Own(string ood) => EveryScore[ood][Definition.Score];

    /// <summary>Mean ID accuracy over the finished seeds; null when none has.</summary>
    public double? Accuracy => AccuracySeeds.Count == 0 ? null : AccuracySeeds.Mean;
}

public enum Verdict { Within, Outside, Missing }

public sealed record CellVerdict(Band Band, double? Value, Verdict Verdict);

/// <summary>
/// Table 1 in the paper's shape — per row, AUROC min/max/avg over seeds for each OoD set, and mean accuracy — from
/// whatever units have finished; then each banded cell and each qualitative claim judged. Missing units are missing,
/// never zero.
/// </summary>
public sealed record PaperTable(ExperimentDefinition Definition, IReadOnlyList<TableRow> Rows)
{
    public static PaperTable Aggregate(ExperimentDefinition definition, IEnumerable<UnitResult> results)
    {
        var byRow = results.GroupBy(r => r.Row).ToDictionary(g => g.Key, g => g.DistinctBy(r => r.Seed).ToList());
        return new PaperTable(definition, definition.Rows.Select(row => TableRow.Of(row,
            byRow.GetValueOrDefault(row.UnitRow, []).Where(u => definition.Seeds.Contains(u.Seed)).ToList(),
            definition.Columns.Keys, definition.Seeds, definition.OodGroups)).ToList());
    }

    public double? Value(string row, string metric, string? ood) => metric switch
    {
        Band.AurocAverage when ood is not null => Own(row, ood)?.Auroc.Spread?.Avg,
        Band.AccuracyAverage => Rows.FirstOrDefault(x => x.Definition.Name == row)?.Accuracy,
        _ => throw new ReproException($"unknown band metric '{metric}' (row {row})"),
    };

    public IReadOnlyList<CellVerdict> Judge(ToleranceBands bands) => bands.Cells.Select(b =>
    {
        var value = Value(b.Row, b.Metric, b.Ood);
        return new CellVerdict(b, value, value is null ? Verdict.Missing : value >= b.Low && value <= b.High ? Verdict.Within : Verdict.Outside);
    }).ToList();

    /// <summary>
    /// Every claim of <paramref name="bands"/> judged as its format says (<see cref="ClaimVerdict.Of"/>): the one judgement
    /// `repro table`, the report and the Category=Repro tests all show.
    /// </summary>
    public IReadOnlyList<ClaimVerdict> JudgeClaims(ToleranceBands bands) => bands.Claims.Select(c =>
        ClaimVerdict.Of(c, Own(c.Left.Row, c.Left.Ood), Own(c.Right.Row, c.Right.Ood), bands)).ToList();

    /// <summary>The row's own score on <paramref name="ood"/>; null for a row or OoD set the table has not.</summary>
    private ScoreSeeds? Own(string row, string? ood) =>
        Rows.FirstOrDefault(r => r.Definition.Name == row) is { } r && ood is not null && r.EveryScore.ContainsKey(ood) ? r.Own(ood) : null;
}
