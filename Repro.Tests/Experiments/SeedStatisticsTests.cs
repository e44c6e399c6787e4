using Repro.Experiments;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>Intervals, sign-flip p-values and seed counts over seeds: hand-computed cases, enumeration and coverage.</summary>
public class SeedStatisticsTests
{
    private static SeedValues Values(params double[] values) => new(values.Select((v, i) => new SeedValue(i, v)).ToList());

    [Fact]
    public void The_mean_interval_is_students_t_by_hand()
    {
        // 1..5: mean 3, s = √2.5 = 1.58114, t(4, 0.975) = 2.77645 (tables) → 3 ± 1.96324.
        var interval = SeedStatistics.MeanInterval(Values(1, 2, 3, 4, 5));
        Assert.Equal(1.03676, interval.Low, 4);
        Assert.Equal(4.96324, interval.High, 4);
        Assert.Equal("Student's t, 95%", interval.Method);
    }

    [Fact]
    public void The_mean_interval_covers_the_true_mean_about_95_percent_of_the_time()
    {
        // Five seeds of an AUROC-like quantity, 4,000 simulated studies: coverage within ±1.5 points of 95%.
        var random = new Random(7);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        int covered = 0, studies = 4000;
        for (int s = 0; s < studies; s++)
            if (SeedStatistics.MeanInterval(Values(Enumerable.Range(0, 5).Select(_ => 0.9 + 0.03 * Gaussian()).ToArray())).Contains(0.9))
                covered++;
        Assert.InRange(covered / (double)studies, 0.935, 0.965);
    }

    [Fact]
    public void The_sign_flip_p_value_counts_the_patterns_at_least_as_extreme()
    {
        // {1, 2, 3}: of the 8 sign patterns only +++ and −−− reach |sum| 6 → p = 2/8.
        Assert.Equal(0.25, SeedStatistics.SignFlipPValue([1, 2, 3]));
        // {1, −1}: sums 0, ±2: the observed 0 is matched by all four → p = 1.
        Assert.Equal(1.0, SeedStatistics.SignFlipPValue([1, -1]));
        // {3, 1, 1}: |±3 ±1 ±1| ∈ {5, 3, 1}; only +++ and −−− reach 5 → 2 of 8.
        Assert.Equal(0.25, SeedStatistics.SignFlipPValue([3, 1, 1]));
        // Fifteen seeds all in one direction (the paper's count): 2 of 32,768 patterns.
        Assert.Equal(2 / 32768.0, SeedStatistics.SignFlipPValue(Enumerable.Range(1, 15).Select(i => 0.01 * i).ToArray()));
    }

    [Fact]
    public void Past_exact_enumeration_the_monte_carlo_p_value_agrees_with_the_exact_distribution()
    {
        // 30 integer differences: the exact null distribution of the signed sum by counting patterns per sum (a
        // convolution, not an enumeration of 2^30 patterns), p ≈ 0.1; the Monte Carlo's own error there is ~0.0007.
        var d = Enumerable.Range(0, 30).Select(i => (i % 3 == 0 ? -1 : 1) * (1 + i % 5)).ToArray();
        var patternsBySum = new Dictionary<int, long> { [0] = 1 };
        foreach (var x in d)
        {
            var next = new Dictionary<int, long>();
            foreach (var (sum, count) in patternsBySum)
                foreach (var signed in new[] { sum + x, sum - x })
                    next[signed] = next.GetValueOrDefault(signed) + count;
            patternsBySum = next;
        }
        int observed = Math.Abs(d.Sum());
        double exact = patternsBySum.Where(kv => Math.Abs(kv.Key) >= observed).Sum(kv => kv.Value) / Math.Pow(2, d.Length);
        Assert.InRange(exact, 0.05, 0.2);
        Assert.InRange(SeedStatistics.SignFlipPValue(d.Select(x => (double)x).ToArray()), exact - 0.004, exact + 0.004);
    }

    [Fact]
    public void Seeds_for_power_match_the_paired_t_tables()
    {
        // Effect size δ/σ = 1 at α = 0.05 two-sided, 80% power: n = 10 (Cohen's and G*Power's tables); 0.5: n = 34.
        Assert.Equal(10, SeedStatistics.SeedsForPower(0.02, 0.02));
        Assert.Equal(34, SeedStatistics.SeedsForPower(-0.01, 0.02));
        Assert.Null(SeedStatistics.SeedsForPower(0, 0.02));
        Assert.Null(SeedStatistics.SeedsForPower(0.01, 0));
    }

    [Fact]
    public void A_comparison_pairs_the_seeds_both_rows_finished()
    {
        var first = new SeedValues([new(0, 0.95), new(1, 0.97), new(2, 0.96), new(4, 0.99)]);
        var second = new SeedValues([new(1, 0.47), new(2, 0.66), new(0, 0.45), new(3, 0.5)]);
        var c = SeedStatistics.Compare(first, second);
        Assert.Equal([0, 1, 2], c.Seeds);
        Assert.Equal((0.50 + 0.50 + 0.30) / 3, c.MeanDifference, 12);
        Assert.Equal(0.25, c.PValue);   // three seeds, all one way: 2 of 8 patterns
        Assert.True(c.Interval.Contains(c.MeanDifference));
        Assert.Throws<ArgumentException>(() => SeedStatistics.Compare(first, new SeedValues([new(4, 0.5), new(9, 0.5)])));
    }
}
