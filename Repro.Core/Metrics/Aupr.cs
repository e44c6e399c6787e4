namespace Repro.Metrics;

/// <summary>
/// Area under the precision–recall curve as average precision, Σₖ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds
/// (scikit-learn's average_precision_score; tied scores enter together, no interpolation).
/// AUPR-In: ID positive, ranked by the score. AUPR-Out: OoD positive, ranked by the negated score.
/// OpenOOD integrates the same curve with the trapezoid rule, which reads slightly higher on coarse curves.
/// </summary>
public static class Aupr
{
    public static double In(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) =>
        AveragePrecision(new ScoreRanking(id, ood).Groups(highestFirst: true).Select(g => (g.Id, g.Ood)), id.Length);

    public static double Out(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) =>
        AveragePrecision(new ScoreRanking(id, ood).Groups().Select(g => (g.Ood, g.Id)), ood.Length);

    /// <param name="thresholds">Per tied group, most confident first: how many positives and negatives it holds.</param>
    private static double AveragePrecision(IEnumerable<(int Positives, int Negatives)> thresholds, int positives)
    {
        double ap = 0, truePos = 0, seen = 0, prevRecall = 0;
        foreach (var (p, n) in thresholds)
        {
            truePos += p;
            seen += p + n;
            double recall = truePos / positives;
            ap += (recall - prevRecall) * (truePos / seen);
            prevRecall = recall;
        }
        return ap;
    }
}
