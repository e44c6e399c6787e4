using Repro.Metrics;
using Xunit;

namespace Repro.Tests.Metrics;

/// <summary>Small cases worked out by hand, so the definitions cannot drift silently.</summary>
public class HandComputedMetrics
{
    [Fact]
    public void Fpr95_threshold_keeps_95_percent_of_id()
    {
        // ID 1..20: 95% of 20 = 19 samples kept → threshold is the 19th largest = 2.
        double[] id = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        // OoD at or above 2: {2, 5, 30} of 5 → 3/5.
        double[] ood = [0, 1, 2, 5, 30];
        Assert.Equal(0.6, FprAtTpr.Compute(id, ood), 12);
    }

    [Fact]
    public void Fpr95_counts_ties_at_the_threshold_as_passing()
    {
        // 10 ID samples: ceil(9.5) = 10 must pass → threshold = min = 1; OoD tied at 1 pass.
        double[] id = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(0.5, FprAtTpr.Compute(id, [1, 0.5]), 12);
        // Exactly 100 ID samples: 95 kept, threshold = 6th smallest = 6 (values 1..100).
        double[] hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        Assert.Equal(0.5, FprAtTpr.Compute(hundred, [5.99, 6]), 12);
    }

    [Fact]
    public void Fpr95_is_zero_for_separated_and_one_for_reversed_scores()
    {
        Assert.Equal(0.0, FprAtTpr.Compute([5, 6, 7], [1, 2]));
        Assert.Equal(1.0, FprAtTpr.Compute([1, 2], [5, 6, 7]));
    }

    [Fact]
    public void Fpr95_with_ood_positive_counts_id_flagged_when_95_percent_of_ood_are_caught()
    {
        // 20 OoD scores: 0.00 … 0.18 and one outlier at 0.99; 4 ID scores.
        double[] ood = [.. Enumerable.Range(0, 19).Select(i => i / 100.0), 0.99];
        double[] id = [0.1, 0.5, 0.6, 0.7];
        // OoD positive (OpenOOD v1.5): catching 19 of 20 OoD needs "score ≤ 0.18", which flags 1 of 4 ID images.
        Assert.Equal(0.25, FprAtTpr.OodPositive(id, ood), 12);
        // ID positive (LogitNorm): keeping all 4 ID needs "score ≥ 0.1", which passes 0.10 … 0.18 and 0.99: 10 of 20.
        Assert.Equal(0.5, FprAtTpr.Compute(id, ood), 12);
        var metrics = OodMetrics.Compute(id, ood);
        Assert.Equal(0.25, metrics.Fpr95OodPositive!.Value, 12);
        Assert.Equal(0.5, metrics.Fpr95, 12);
    }

    [Fact]
    public void AuprIn_matches_hand_computed_average_precision()
    {
        // Ranking by score: 0.9 ID, 0.8 OoD, 0.7 ID, 0.1 OoD.
        // Precision at each ID hit: 1/1, 2/3 → AP = (1 + 2/3) / 2 = 5/6.
        Assert.Equal(5.0 / 6, Aupr.In([0.9, 0.7], [0.8, 0.1]), 12);
        // AUPR-Out ranks by −score: 0.1 OoD (1/1), 0.7 ID, 0.8 OoD (2/3) → 5/6 as well.
        Assert.Equal(5.0 / 6, Aupr.Out([0.9, 0.7], [0.8, 0.1]), 12);
    }

    [Fact]
    public void Aupr_with_ties_enters_a_tied_group_at_once()
    {
        // All four tied: one threshold, recall 1 at precision 2/4 → AP = 0.5.
        Assert.Equal(0.5, Aupr.In([1, 1], [1, 1]), 12);
        // ID {3, 2}, OoD {2, 1}: thresholds 3 → P=1,R=.5; 2 → P=2/3,R=1 → AP = .5 + .5·2/3.
        Assert.Equal(0.5 + 1.0 / 3, Aupr.In([3, 2], [2, 1]), 12);
    }

    [Fact]
    public void Accuracy_counts_matches()
    {
        Assert.Equal(0.75, Accuracy.Compute([1, 2, 3, 4], [1, 2, 3, 0]));
        Assert.Throws<ArgumentException>(() => Accuracy.Compute([1], [1, 2]));
    }
}
