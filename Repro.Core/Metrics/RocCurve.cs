namespace Repro.Metrics;

/// <summary>
/// The ROC curve of a score with ID as the positive class (as <see cref="FprAtTpr"/>): one point per distinct
/// threshold t, from the highest down, at (FPR, TPR) = (share of OoD with score ≥ t, share of ID with score ≥ t),
/// starting at (0, 0) and ending at (1, 1). Its trapezoid area is exactly <see cref="Auroc"/> (a tied group is one
/// diagonal step, which is the ½ credit a tie gets there) and its first point reaching a TPR level is
/// <see cref="FprAtTpr"/>'s value — the report draws it, the metrics stay the reference.
/// </summary>
public sealed record RocCurve(double[] Fpr, double[] Tpr)
{
    public static RocCurve Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood)
    {
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        long idAbove = 0, oodAbove = 0;
        foreach (var group in new ScoreRanking(id, ood).Groups(highestFirst: true))
        {
            idAbove += group.Id;
            oodAbove += group.Ood;
            fpr.Add((double)oodAbove / ood.Length);
            tpr.Add((double)idAbove / id.Length);
        }
        return new RocCurve(fpr.ToArray(), tpr.ToArray());
    }

    public double Area()
    {
        double area = 0;
        for (int i = 1; i < Fpr.Length; i++) area += (Fpr[i] - Fpr[i - 1]) * (Tpr[i] + Tpr[i - 1]) / 2;
        return area;
    }

    /// <summary>FPR at the first threshold whose TPR reaches <paramref name="tpr"/> (same rounding as FprAtTpr).</summary>
    public double FprAt(double tpr, int idCount)
    {
        double needed = Math.Max(1, Math.Ceiling(tpr * idCount - 1e-9)) / idCount;
        for (int i = 0; i < Tpr.Length; i++)
            if (Tpr[i] >= needed - 1e-12) return Fpr[i];
        return 1;
    }

    /// <summary>
    /// At most 2·<paramref name="maxPoints"/> + 2 points for drawing: a point is kept when it moves the curve by at least
    /// 1/maxPoints in FPR or TPR since the last kept one, so steep and flat stretches both keep their shape.
    /// </summary>
    public RocCurve Thin(int maxPoints)
    {
        if (Fpr.Length <= maxPoints) return this;
        double step = 1.0 / maxPoints;
        var fpr = new List<double> { Fpr[0] };
        var tpr = new List<double> { Tpr[0] };
        for (int i = 1; i < Fpr.Length - 1; i++)
            if (Fpr[i] - fpr[^1] >= step || Tpr[i] - tpr[^1] >= step) { fpr.Add(Fpr[i]); tpr.Add(Tpr[i]); }
        fpr.Add(Fpr[^1]);
        tpr.Add(Tpr[^1]);
        return new RocCurve(fpr.ToArray(), tpr.ToArray());
    }
}
