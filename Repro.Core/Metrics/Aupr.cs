namespace Repro.Metrics;

/// <summary>
/// Area under the precision–recall curve as average precision, Σₖ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds
/// (scikit-learn's average_precision_score; tied scores enter together, no interpolation).
/// AUPR-In: ID positive, ranked by the score. AUPR-Out: OoD positive, ranked by the negated score.
/// OpenOOD integrates the same curve with the trapezoid rule, which reads slightly higher on coarse curves.
/// </summary>
public static class Aupr
{
    public static double In(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) => AveragePrecision(id, ood, sign: +1);

    public static double Out(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) => AveragePrecision(ood, id, sign: -1);

    private static double AveragePrecision(ReadOnlySpan<double> positives, ReadOnlySpan<double> negatives, int sign)
    {
        ScoreChecks.Require(positives, negatives);
        int n = positives.Length + negatives.Length;
        var keys = new double[n];
        var isPos = new bool[n];
        for (int i = 0; i < positives.Length; i++) { keys[i] = -sign * positives[i]; isPos[i] = true; }
        for (int i = 0; i < negatives.Length; i++) keys[positives.Length + i] = -sign * negatives[i];
        Array.Sort(keys, isPos);   // ascending key = descending ranking score

        double ap = 0, truePos = 0, seen = 0, prevRecall = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j < n && keys[j] == keys[i]) { if (isPos[j]) truePos++; seen++; j++; }
            double recall = truePos / positives.Length;
            ap += (recall - prevRecall) * (truePos / seen);
            prevRecall = recall;
            i = j;
        }
        return ap;
    }
}
