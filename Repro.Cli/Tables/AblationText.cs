using System.Globalization;
using System.Text;
using Repro.Experiments;

namespace Repro.Cli.Tables;

/// <summary>
/// A definition's sweeps as `repro table` and `repro run` print them: per axis and OoD set, each method's AUROC at each
/// level (the effect plot's numbers), then the paired differences between cells.
/// </summary>
public static class AblationText
{
    public static string Format(this Ablation ablation, PaperTable table)
    {
        var sb = new StringBuilder();
        foreach (var axis in ablation.Axes)
            foreach (var ood in table.Definition.OodSets.Keys)
            {
                sb.AppendLine($"ablation over {axis.Axis}, {ood} ({table.Definition.OodSets[ood]}): AUROC as mean over seeds ± half the 95% Student's t " +
                              $"interval of that mean (seeds); the first level is the base, every other axis at its base");
                var rows = axis.Methods.SelectMany(m => new[] { m.OwnScore, ablation.SecondScore }.Distinct().Select(score =>
                    (IReadOnlyList<string>)new[] { m.Label, score == m.OwnScore ? score + "*" : score }
                        .Concat(axis.Levels.Select(level => m.Points.FirstOrDefault(p => p.Level == level) is { } p ? Cell(p.Row.EveryScore[ood][score]) : "")).ToList()));
                TextTable.Append(sb, new[] { "method", "score" }.Concat(axis.Levels).ToList(), rows.ToList());
                var differences = axis.Methods.SelectMany(m => m.FromBase).Concat(axis.Contrasts).Concat(axis.Interactions).Where(d => d.Ood == ood).ToList();
                if (differences.Count > 0)
                {
                    sb.AppendLine("paired differences of each row's own score (*), seed by seed: the mean difference, the 95% Student's t interval of that mean, " +
                                  "the exact sign-flip p (two-sided), the seeds a 5% two-sided test would need for 80% power at this difference");
                    AppendDifferences(sb, differences);
                }
                sb.AppendLine();
            }
        foreach (var ood in table.Definition.OodSets.Keys)
            if (ablation.BaseContrasts.Where(d => d.Ood == ood).ToList() is { Count: > 0 } bases)
            {
                sb.AppendLine($"methods at their bases, {ood}: each row's own score, paired seed by seed");
                AppendDifferences(sb, bases);
                sb.AppendLine();
            }
        foreach (var ood in table.Definition.OodSets.Keys)
            if (ablation.GridInteractions.Where(d => d.Ood == ood).ToList() is { Count: > 0 } grid)
            {
                sb.AppendLine($"interactions within a grid, {ood}: (b − base) at a − at base, paired seed by seed");
                AppendDifferences(sb, grid);
                sb.AppendLine();
            }
        return sb.ToString();
    }

    private static void AppendDifferences(StringBuilder sb, IReadOnlyList<AblationDifference> differences) =>
        TextTable.Append(sb, ["comparison", "n", "mean diff", "95% interval", "sign-flip p", "seeds for 80%"], differences.Select(d => (IReadOnlyList<string>)(d.Paired is { } p
            ? [d.Comparison, p.Seeds.Count.ToString(CultureInfo.InvariantCulture), Signed(p.MeanDifference), $"[{Signed(p.Interval.Low)}, {Signed(p.Interval.High)}]",
               p.PValue < 0.001 ? "< 0.001" : F(p.PValue), p.SeedsFor80PercentPower?.ToString(CultureInfo.InvariantCulture) ?? "—"]
            : [d.Comparison, "<2", "—", "—", "—", "—"])).ToList());

    private static string Cell(ScoreSeeds s) =>
        s.Auroc.Count == 0 ? "—" : F(s.Auroc.Mean) + (s.MeanSeedHalfWidth is { } half ? " ± " + F(half) : "") + $" ({s.Auroc.Count})";

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Signed(double v) => v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);
}
