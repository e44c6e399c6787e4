using System.Globalization;
using System.Text;
using Repro.Experiments;

namespace Repro.Cli.Tables;

/// <summary>The paper-shaped table and the score grid as the command line prints them (Core's PaperTable is their data).</summary>
public static class PaperTableText
{
    /// <summary>
    /// Plain-text table: ours beside the paper's, per row; "—" where no seed has finished. Bands of another definition
    /// version are listed below the table, labelled as such, and judge nothing.
    /// </summary>
    public static string Format(this PaperTable table, ToleranceBands? bands = null, string bandsPath = "the bands file")
    {
        var stale = bands is not null && !bands.AppliesTo(table.Definition) ? bands : null;
        if (stale is not null) bands = null;
        var verdicts = bands is null ? [] : table.Judge(bands);
        string Mark(string row, string metric, string? ood) =>
            verdicts.FirstOrDefault(v => v.Band.Row == row && v.Band.Metric == metric && v.Band.Ood == ood)?.Verdict switch
            {
                Verdict.Within => " ✓", Verdict.Outside => " ✗", _ => "",
            };
        var oods = table.Definition.Columns.Keys.ToList();
        var header = new List<string> { "method", "seeds" };
        foreach (var ood in oods) header.AddRange([$"{ood} min", "max", "avg", "paper avg"]);
        header.AddRange(["acc", "paper acc"]);
        var lines = new List<string[]>();
        foreach (var row in table.Rows)
        {
            var name = row.Definition.Name;
            var cells = new List<string> { row.Definition.Label, $"{row.FinishedSeeds.Count}/{table.Definition.Seeds.Length}" };
            foreach (var ood in oods)
            {
                var c = row.Own(ood).Auroc.Spread;
                var paper = row.Definition.Paper?.Auroc.GetValueOrDefault(ood);
                cells.AddRange([F(c?.Min), F(c?.Max), F(c?.Avg) + Mark(name, Band.AurocAverage, ood), F(paper?.Avg)]);
            }
            cells.AddRange([F(row.Accuracy) + Mark(name, Band.AccuracyAverage, null), F(row.Definition.Paper?.Accuracy)]);
            lines.Add(cells.ToArray());
        }
        var sb = new StringBuilder();
        sb.AppendLine($"{table.Definition.Name} v{table.Definition.Version}: AUROC over seeds ({string.Join(", ", table.Definition.OodSets.Select(o => $"{o.Key} = {o.Value}"))})");
        TextTable.Append(sb, header, lines);
        if (table.Definition.Leaderboard is { } board)
        {
            var columns = board.Columns;
            sb.AppendLine($"for comparison, published (mean ± SD over its runs, percent; other networks and epochs, so only the ordering compares): {board.Source}");
            TextTable.Append(sb, ["training + score", .. columns.Select(c => $"{c} AUROC"), "ID acc"], board.Rows.Select(r => (IReadOnlyList<string>)
                [r.Label, .. columns.Select(c => r.Auroc.TryGetValue(c, out var v) ? v.Text : "—"), r.Accuracy is { } a ? a.Text : "—"]).ToList());
        }
        if (bands is not null)
        {
            sb.AppendLine("✓ within its tolerance band, ✗ outside (experiments/*.bands.json gives each band and its reason); — no finished seed.");
            foreach (var c in table.JudgeClaims(bands))
                sb.AppendLine($"claim {c.Verdict switch { Verdict.Within => "holds  ", Verdict.Outside => "FAILS  ", _ => "missing" }} {c.Claim.Text}: " +
                              $"{F(c.Left)} vs {F(c.Right)}; {c.Judgement}" + (c.Statistics is { } s ? $"; {s}" : ""));
        }
        if (stale is not null)
        {
            sb.AppendLine(stale.NotApplicableNote(table.Definition, bandsPath));
            foreach (var b in stale.Cells)
                sb.AppendLine(FormattableString.Invariant($"  v{stale.Version} band  {b.Row} {b.Metric}{(b.Ood is null ? "" : " " + b.Ood)}: [{b.Low:0.000}, {b.High:0.000}]"));
        }
        return sb.ToString();
    }

    /// <summary>
    /// Per OoD set, every registered score (a line each) on every row's models (a column each): the mean AUROC over the
    /// finished seeds ± half the 95% Student's t interval of that mean where two or more finished, and in brackets half
    /// the 95% interval of the same mean from the test sets alone (<see cref="ScoreSeeds.MeanTestSetHalfWidth"/>: the
    /// least it can be, as seeds scored on the same images err together); * marks the score the row is judged by.
    /// Then FPR95 in both conventions. Whether a contrast belongs to the training method or to the score shows here:
    /// the same models under other scores.
    /// </summary>
    public static string FormatScoreGrid(this PaperTable table)
    {
        var scores = Scores.ScoreRegistry.Names.ToList();
        var sb = new StringBuilder();
        foreach (var ood in table.Definition.Columns.Keys)
        {
            sb.AppendLine($"every score on every model, {ood} ({table.Definition.Columns[ood]}): mean AUROC over a row's (n) seeds ± half the 95% " +
                          "Student's t interval of that mean [± half the 95% interval of the same mean from the test sets alone: DeLong's errors " +
                          "of the seeds combined as if independent, the least it can be]; * the row's own score");
            var header = new[] { "score" }.Concat(table.Rows.Select(r => $"{r.Definition.Label} ({r.FinishedSeeds.Count})")).ToArray();
            TextTable.Append(sb, header, scores.Select(score => new[] { score }
                .Concat(table.Rows.Select(row => AurocCell(row.EveryScore[ood][score]) + (score == row.Definition.Score ? "*" : ""))).ToArray()).ToList());
            sb.AppendLine($"FPR95 on {ood}, mean over seeds (lower is better): ID positive, as LogitNorm reports it / OoD positive, as OpenOOD v1.5");
            TextTable.Append(sb, header, scores.Select(score => new[] { score }
                .Concat(table.Rows.Select(row => FprCell(row.EveryScore[ood][score]))).ToArray()).ToList());
        }
        return sb.ToString();

        static string AurocCell(ScoreSeeds s)
        {
            var v = s.Auroc;
            if (v.Count == 0) return "—";
            var text = F(v.Mean);
            if (s.MeanSeedHalfWidth is { } seedHalf) text += " ± " + F(seedHalf);
            return s.MeanTestSetHalfWidth is { } half ? text + " [±" + F(half) + "]" : text;
        }

        static string FprCell(ScoreSeeds s) =>
            s.Fpr95.Count == 0 ? "—" : F(s.Fpr95.Mean) + " / " + (s.Fpr95OodPositive.Count == 0 ? "—" : F(s.Fpr95OodPositive.Mean));
    }

    private static string F(double? v) => v is null ? "—" : v.Value.ToString("0.000", CultureInfo.InvariantCulture);
}
