namespace Repro.Metrics;

/// <summary>The detection metrics of one (ID set, OoD set, score). Conventions: see each metric's class.</summary>
public sealed record OodMetrics(double Auroc, double Fpr95, double AuprIn, double AuprOut)
{
    public static OodMetrics Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) => new(
        Metrics.Auroc.Compute(id, ood),
        FprAtTpr.Compute(id, ood),
        Aupr.In(id, ood),
        Aupr.Out(id, ood));
}
