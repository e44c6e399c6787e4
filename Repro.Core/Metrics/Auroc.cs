namespace Repro.Metrics;

/// <summary>
/// Area under the ROC curve for separating in-distribution (positive) from OoD (negative) samples by a score where
/// higher = more in-distribution. Exact and tie-aware: it equals P(s_id &gt; s_ood) + ½·P(s_id = s_ood) over all
/// (ID, OoD) pairs — the Mann–Whitney U statistic — computed from the ID samples' mid-ranks in
/// <see cref="ScoreRanking"/>, O(n log n). AUROC is symmetric in which class is called positive, so it equals OpenOOD's
/// (which calls OoD positive and negates the score).
/// </summary>
public static class Auroc
{
    public static double Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood)
    {
        double idRankSum = 0;
        foreach (var group in new ScoreRanking(id, ood).Groups()) idRankSum += group.Id * group.MidRank;
        double nId = id.Length, nOod = ood.Length;
        return (idRankSum - nId * (nId + 1) / 2) / (nId * nOod);
    }
}
