using System.Text.Json.Serialization;

namespace Repro.Metrics;

/// <summary>
/// The detection metrics of one (ID set, OoD set, score). Conventions: see each metric's class. Fpr95 takes ID as
/// positive (LogitNorm's), Fpr95OodPositive OoD (OpenOOD v1.5's); AurocSe is the AUROC's standard error over the test
/// samples (DeLong). The last two are absent in units written before they were recorded.
/// </summary>
public sealed record OodMetrics(double Auroc, double Fpr95, double AuprIn, double AuprOut,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Fpr95OodPositive = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AurocSe = null)
{
    public static OodMetrics Compute(ReadOnlySpan<double> id, ReadOnlySpan<double> ood) => new(
        Metrics.Auroc.Compute(id, ood),
        FprAtTpr.Compute(id, ood),
        Aupr.In(id, ood),
        Aupr.Out(id, ood),
        FprAtTpr.OodPositive(id, ood),
        id.Length >= 2 && ood.Length >= 2 ? AurocError.StandardError(id, ood) : null);
}
