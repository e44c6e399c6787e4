using Repro.Metrics;
using Repro.Runs;

namespace Repro.Experiments;

/// <summary>
/// One score on one row's models against one OoD set, over the seeds that evaluated it: the AUROC, FPR95 in both
/// conventions (ID positive as LogitNorm reports it; OoD positive as OpenOOD v1.5 does), and the AUROC's own sampling
/// error on the test sets (DeLong's standard error, per seed) — beside the spread over seeds, it says which noise
/// dominates. Units written before FPR95 (OoD positive) and the standard error were recorded count for the AUROC only.
/// </summary>
public sealed record ScoreSeeds(SeedValues Auroc, SeedValues Fpr95, SeedValues Fpr95OodPositive, SeedValues AurocStandardError)
{
    public static ScoreSeeds Of(IEnumerable<UnitResult> units, string oodSet, string score)
    {
        var evaluated = units.Where(u => u.Ood.TryGetValue(oodSet, out var scores) && scores.ContainsKey(score)).ToList();
        OodMetrics M(UnitResult u) => u.Ood[oodSet][score];
        return new ScoreSeeds(
            SeedValues.Of(evaluated, u => M(u).Auroc),
            SeedValues.Of(evaluated, u => M(u).Fpr95),
            SeedValues.Of(evaluated.Where(u => M(u).Fpr95OodPositive is not null), u => M(u).Fpr95OodPositive!.Value),
            SeedValues.Of(evaluated.Where(u => M(u).AurocSe is not null), u => M(u).AurocSe!.Value));
    }

    /// <summary>
    /// OpenOOD's near-/far-OoD figure for one score: per seed, each metric's mean over <paramref name="oodSets"/>
    /// (openood/evaluation_api/evaluator.py averages every metric over a group's data sets within a run), over the seeds
    /// that evaluated every one of them. The mean's DeLong error per seed is √(Σ seᵢ²)/k, the sets' errors combined as
    /// if independent (they share the ID test images, so as with seeds this is the least it can be).
    /// </summary>
    public static ScoreSeeds MeanOver(IEnumerable<UnitResult> units, IReadOnlyList<string> oodSets, string score)
    {
        var evaluated = units.Where(u => oodSets.All(o => u.Ood.TryGetValue(o, out var scores) && scores.ContainsKey(score))).ToList();
        IEnumerable<OodMetrics> M(UnitResult u) => oodSets.Select(o => u.Ood[o][score]);
        return new ScoreSeeds(
            SeedValues.Of(evaluated, u => M(u).Average(m => m.Auroc)),
            SeedValues.Of(evaluated, u => M(u).Average(m => m.Fpr95)),
            SeedValues.Of(evaluated.Where(u => M(u).All(m => m.Fpr95OodPositive is not null)), u => M(u).Average(m => m.Fpr95OodPositive!.Value)),
            SeedValues.Of(evaluated.Where(u => M(u).All(m => m.AurocSe is not null)),
                u => Math.Sqrt(M(u).Sum(m => m.AurocSe!.Value * m.AurocSe!.Value)) / oodSets.Count));
    }

    /// <summary>z for a two-sided 95% normal interval: DeLong's errors are normal approximations.</summary>
    public const double Z95 = 1.959964;

    /// <summary>Half the 95% Student's t interval of the mean AUROC over the seeds (training noise); needs two seeds.</summary>
    public double? MeanSeedHalfWidth => Auroc.Count < 2 ? null : SeedStatistics.MeanInterval(Auroc).High - Auroc.Mean;

    /// <summary>
    /// Half the 95% interval of the mean AUROC over the seeds from the test sets alone: 1.96 × √(Σ seᵢ²)/n, the seeds'
    /// DeLong errors combined as if independent. Seeds evaluated on the same test images err together (positively
    /// correlated), so this is the least the mean's test-set error can be; <see cref="OneSeedTestSetHalfWidth"/> is the most.
    /// </summary>
    public double? MeanTestSetHalfWidth => AurocStandardError.Count == 0 ? null
        : Z95 * Math.Sqrt(AurocStandardError.PerSeed.Sum(v => v.Value * v.Value)) / AurocStandardError.Count;

    /// <summary>
    /// Half the 95% interval of one seed's AUROC from its test sets alone: 1.96 × DeLong's standard error, averaged over
    /// the seeds. What a claim sets beside one seed's difference, and the most the mean's test-set error can be.
    /// </summary>
    public double? OneSeedTestSetHalfWidth => AurocStandardError.Count == 0 ? null : Z95 * AurocStandardError.Mean;
}
