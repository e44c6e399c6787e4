namespace Repro.Metrics;

/// <summary>
/// FPR at 95% TPR, with ID as the positive class (the convention of ODIN, Energy and LogitNorm): the threshold is the
/// highest one that keeps at least 95% of ID samples (score ≥ threshold), and the result is the fraction of OoD
/// samples that also pass it. Lower is better.
/// OpenOOD v1.5 instead calls OoD positive (the fraction of ID samples flagged when 95% of OoD are caught); the two
/// differ in general — ours is the one the LogitNorm paper reports.
/// </summary>
public static class FprAtTpr
{
    public const double DefaultTpr = 0.95;

    /// <summary>OpenOOD v1.5's convention: OoD positive (lower scores), the fraction of ID samples flagged at 95% of OoD caught.</summary>
    public static double OodPositive(ReadOnlySpan<double> id, ReadOnlySpan<double> ood, double tpr = DefaultTpr)
    {
        var negatedOod = new double[ood.Length];
        var negatedId = new double[id.Length];
        for (int i = 0; i < ood.Length; i++) negatedOod[i] = -ood[i];
        for (int i = 0; i < id.Length; i++) negatedId[i] = -id[i];
        return Compute(negatedOod, negatedId, tpr);
    }

    public static double Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood, double tpr = DefaultTpr)
    {
        ScoreChecks.Require(id, ood);
        if (!(tpr > 0 && tpr <= 1)) throw new ArgumentOutOfRangeException(nameof(tpr), tpr, "TPR level must be in (0, 1]");
        var sorted = id.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        // k = smallest number of ID samples that reaches the TPR level; the 1e-9 keeps 0.95·100 from becoming 96.
        int k = Math.Max(1, (int)Math.Ceiling(tpr * sorted.Length - 1e-9));
        double threshold = sorted[k - 1];
        int passed = 0;
        foreach (var s in ood) if (s >= threshold) passed++;
        return (double)passed / ood.Length;
    }
}
