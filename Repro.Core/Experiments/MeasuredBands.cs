using System.Globalization;
using Repro.Runs;

namespace Repro.Experiments;

/// <summary>Where bands measured by us come from: the run they summarize (card, date, commit, seeds) and its log.</summary>
public sealed record Measurement(string Device, string Date, string Commit, int[] Seeds, string Log);

/// <summary>
/// Tolerance bands from our own seeds, for definitions the paper has no numbers for (experiments/fmnist.json): each cell
/// is the measured n-seed mean ± 3 standard errors (SD/√n), because a rerun on a GPU draws new training trajectories
/// (cuDNN is not deterministic), so its n-seed mean is a new draw of the same mean. Accuracy gets at least ±0.5 points
/// for numerics on another card or driver. Claims are the paper's, written by hand; they are kept when bands are
/// measured again, with their α, and are judged by the one-sided paired t-test (bands format 2).
/// </summary>
public static class MeasuredBands
{
    public const double StandardErrors = 3, MinimumAccuracyHalfWidth = 0.005;

    public static ToleranceBands FromSeeds(ExperimentDefinition definition, IReadOnlyList<UnitResult> results, string log,
        ToleranceBands? previous)
    {
        var cells = new List<Band>();
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToArray();
        foreach (var row in definition.Rows)
        {
            var units = results.Where(r => r.Row == row.UnitRow).ToList();
            if (units.Count < 2) throw new ReproException($"row '{row.Name}' has {units.Count} finished seed(s); bands need at least 2 (the issue asks ≥ 5)");
            var summary = TableRow.Of(row, units, definition.OodSets.Keys, []);
            foreach (var ood in definition.OodSets.Keys)
                cells.Add(Cell(row.Name, Band.AurocAverage, ood, summary.Own(ood).Auroc, 0));
            cells.Add(Cell(row.Name, Band.AccuracyAverage, null, summary.AccuracySeeds, MinimumAccuracyHalfWidth));
        }
        var measured = new Measurement(
            string.Join("; ", results.Select(r => r.Device).Distinct()),
            results.Max(r => r.Finished).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            string.Join(", ", results.Select(r => r.Versions.TryGetValue("commit", out var c) ? c : "unknown").Distinct().Order()),
            seeds, log);
        var alpha = previous is { Format: >= ToleranceBands.CurrentFormat } ? previous.ClaimAlpha : ToleranceBands.DefaultAlpha;
        var notes = $"Measured by us, not the paper's: each cell is the {seeds.Length}-seed mean ± {StandardErrors} standard errors of our " +
                    "own run (see `measured`); regenerate with `repro bands`. Claims are the paper's, checked on this data, each by a " +
                    "one-sided paired t-test over the seeds both cells share (H0: the difference is at most the margin) at `alpha`.";
        return new ToleranceBands(definition.Name, definition.Version, notes, cells, previous?.Claims ?? [], measured,
            ToleranceBands.CurrentFormat, alpha);
    }

    private static Band Cell(string row, string metric, string? ood, SeedValues values, double minimumHalfWidth)
    {
        double mean = values.Mean, sd = values.StandardDeviation;
        double half = Math.Max(StandardErrors * sd / Math.Sqrt(values.Count), minimumHalfWidth);
        double low = Math.Max(0, Math.Floor((mean - half) * 1000) / 1000), high = Math.Min(1, Math.Ceiling((mean + half) * 1000) / 1000);
        var floor = half > StandardErrors * sd / Math.Sqrt(values.Count) ? FormattableString.Invariant($" (at least ±{minimumHalfWidth})") : "";
        var reason = FormattableString.Invariant(
            $"our {values.Count} seeds: mean {mean:F3}, SD {sd:F3}, range {values.Min:F3}–{values.Max:F3}; the mean of a rerun's {values.Count} seeds ± {StandardErrors} standard errors{floor}");
        return new Band(row, metric, ood, low, high, reason);
    }
}
