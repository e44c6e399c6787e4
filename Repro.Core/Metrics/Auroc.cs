namespace Repro.Metrics;

/// <summary>
/// Area under the ROC curve for separating in-distribution (positive) from OoD (negative) samples by a score where
/// higher = more in-distribution. Exact and tie-aware: it equals P(s_id &gt; s_ood) + ½·P(s_id = s_ood) over all
/// (ID, OoD) pairs — the Mann–Whitney U statistic — computed by one sort with mid-ranks, O(n log n).
/// AUROC is symmetric in which class is called positive, so it equals OpenOOD's (which calls OoD positive and negates
/// the score).
/// </summary>
public static class Auroc
{
    public static double Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood)
    {
        ScoreChecks.Require(id, ood);
        int n = id.Length + ood.Length;
        var scores = new double[n];
        var isId = new bool[n];
        id.CopyTo(scores);
        ood.CopyTo(scores.AsSpan(id.Length));
        isId.AsSpan(0, id.Length).Fill(true);
        Array.Sort(scores, isId);

        // Sum of the (1-based, tie-averaged) ranks of the ID samples.
        double idRankSum = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            int idInGroup = 0;
            while (j < n && scores[j] == scores[i]) { if (isId[j]) idInGroup++; j++; }
            double midRank = (i + 1 + j) / 2.0;   // mean of ranks i+1 .. j
            idRankSum += idInGroup * midRank;
            i = j;
        }
        double nId = id.Length, nOod = ood.Length;
        return (idRankSum - nId * (nId + 1) / 2) / (nId * nOod);
    }
}
