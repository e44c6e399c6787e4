using Repro.Experiments;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>Intervals, t and sign-flip p-values (two- and one-sided) and seed counts over seeds: hand-computed cases, closed forms, enumeration and coverage.</summary>
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
    public void The_one_sided_sign_flip_p_value_counts_the_patterns_whose_sum_is_at_least_the_observed()
    {
        // {1, 2, 3}: sum 6; of the 8 patterns only +++ reaches it → 1/8 (the two-sided test also counts −−−).
        Assert.Equal(0.125, SeedStatistics.OneSidedSignFlipPValue([1, 2, 3]));
        // {3, 1, −1}: sum 3; the patterns' sums ±3 ±1 ±1 are 5, 3, 3, 1, −1, −3, −3, −5: three reach 3 → 3/8.
        Assert.Equal(0.375, SeedStatistics.OneSidedSignFlipPValue([3, 1, -1]));
        // {−1, −2, −3}: sum −6, the lowest; every pattern reaches it → 1 (the two-sided p would be 2/8).
        Assert.Equal(1.0, SeedStatistics.OneSidedSignFlipPValue([-1, -2, -3]));
        // {1, −1}: sum 0; sums 2, 0, 0, −2: three reach 0 → 3/4.
        Assert.Equal(0.75, SeedStatistics.OneSidedSignFlipPValue([1, -1]));
        // Five seeds all one way (fmnist's): 1 of 32.
        Assert.Equal(1 / 32.0, SeedStatistics.OneSidedSignFlipPValue([0.1, 0.004, 0.24, 0.27, 0.35]));
    }

    [Fact]
    public void Past_exact_enumeration_the_one_sided_monte_carlo_p_value_agrees_with_the_exact_distribution()
    {
        // As the two-sided case below: the exact null distribution of the signed sum by convolution, the upper tail only.
        var d = Enumerable.Range(0, 30).Select(i => (i % 3 == 0 ? -1 : 1) * (1 + i % 5)).ToArray();
        var patternsBySum = PatternsBySum(d);
        int observed = d.Sum();
        double exact = patternsBySum.Where(kv => kv.Key >= observed).Sum(kv => kv.Value) / Math.Pow(2, d.Length);
        Assert.InRange(exact, 0.025, 0.1);
        Assert.InRange(SeedStatistics.OneSidedSignFlipPValue(d.Select(x => (double)x).ToArray()), exact - 0.003, exact + 0.003);
    }

    [Fact]
    public void The_one_sided_t_p_value_matches_closed_forms_and_tables()
    {
        // ν = 1 is the Cauchy distribution: P(T ≥ t) = 1/2 − atan(t)/π; t = 2 → 0.5 − 1.1071487/π = 0.1475836.
        Assert.Equal(0.1475836, SeedStatistics.OneSidedTPValue(2, 1), 6);
        // ν = 2: P(T ≥ t) = 1/2 − t/(2√(2 + t²)); t = 2√3 → 0.5 − 3.4641016/(2·3.7416574) = 0.0370900.
        Assert.Equal(0.0370900, SeedStatistics.OneSidedTPValue(2 * Math.Sqrt(3), 2), 6);
        // Tables' one-sided critical values: t(4) 2.131847 at 0.05, 3.746947 at 0.01; t(14) 1.761310 at 0.05.
        Assert.Equal(0.05, SeedStatistics.OneSidedTPValue(2.131847, 4), 6);
        Assert.Equal(0.01, SeedStatistics.OneSidedTPValue(3.746947, 4), 6);
        Assert.Equal(0.05, SeedStatistics.OneSidedTPValue(1.761310, 14), 6);
        // The lower side: t below 0 gives p above a half.
        Assert.Equal(1 - 0.1475836, SeedStatistics.OneSidedTPValue(-2, 1), 6);
    }

    [Fact]
    public void A_claim_test_is_the_one_sided_paired_t_on_the_differences_less_the_margin()
    {
        // Differences 0.3, 0.4, 0.5 over a margin 0.2: 0.1, 0.2, 0.3, mean 0.2, s = 0.1, t = 0.2/(0.1/√3) = 2√3 on
        // ν = 2 → p = 0.0370900 (closed form above) < 0.05; sign-flip: all three above the margin → 1/8.
        var left = new SeedValues([new(3, 0.9), new(5, 0.9), new(4, 0.9), new(9, 0.8)]);
        var right = new SeedValues([new(3, 0.6), new(4, 0.5), new(5, 0.4), new(8, 0.1)]);
        var test = SeedStatistics.TestAbove(left, right, margin: 0.2, alpha: 0.05);
        Assert.Equal([3, 4, 5], test.Seeds);
        Assert.Equal(0.4, test.MeanDifference, 12);
        Assert.Equal(2 * Math.Sqrt(3), test.T, 9);
        Assert.Equal(0.0370900, test.PValue, 6);
        Assert.Equal(0.125, test.SignFlipPValue);
        Assert.True(test.Supported);
        Assert.Equal("supported: one-sided paired t over seeds 3–5 (n = 3), difference +0.400 > margin 0.200, p = 0.037 < α = 0.05 " +
                     "(sign-flip p = 0.125)", test.Describe());
        // At α = 0.01 the same differences do not clear it; the test, not the means, decides.
        var strict = SeedStatistics.TestAbove(left, right, margin: 0.2, alpha: 0.01);
        Assert.False(strict.Supported);
        Assert.Equal("not supported: one-sided paired t over seeds 3–5 (n = 3), difference +0.400 > margin 0.200, p = 0.037 ≥ α = 0.01 " +
                     "(sign-flip p = 0.125)", strict.Describe());
        // The other way round, −0.3, −0.4, −0.5 over a margin −0.2: t = −2√3 → p = 1 − 0.0370900.
        Assert.Equal(1 - 0.0370900, SeedStatistics.TestAbove(right, left, margin: -0.2, alpha: 0.05).PValue, 6);
        // Differences 0.1, 0.3, 0.5 over 0.2: −0.1, 0.1, 0.3, mean 0.1, s = 0.2, t = √3/2 → p = 0.5 − (√3/2)/(2√2.75) =
        // 0.2388835; sign-flip: sums of ±0.1 ±0.1 ±0.3 reaching 0.3 are 0.5, 0.3, 0.3 → 3/8 (without the margin, 1/8).
        var spread = SeedStatistics.TestAbove(left, new SeedValues([new(3, 0.8), new(4, 0.6), new(5, 0.4)]), margin: 0.2, alpha: 0.05);
        Assert.Equal(0.2388835, spread.PValue, 6);
        Assert.Equal(0.375, spread.SignFlipPValue, 12);
        Assert.False(spread.Supported);
        Assert.Throws<ArgumentException>(() => SeedStatistics.TestAbove(left, new SeedValues([new(3, 0.5), new(7, 0.5)]), 0, 0.05));
    }

    [Fact]
    public void Identical_differences_clear_the_margin_for_certain_or_not_at_all()
    {
        var left = new SeedValues([new(0, 0.75), new(1, 0.75)]);
        var right = new SeedValues([new(0, 0.5), new(1, 0.5)]);
        Assert.Equal(0.0, SeedStatistics.TestAbove(left, right, margin: 0.1, alpha: 0.05).PValue);
        Assert.Equal(1.0, SeedStatistics.TestAbove(left, right, margin: 0.25, alpha: 0.05).PValue);
        Assert.Equal(1.0, SeedStatistics.TestAbove(left, right, margin: 0.3, alpha: 0.05).PValue);
    }

    [Theory]
    [InlineData(0.0183, 0.05, "= 0.018")]
    [InlineData(0.04996, 0.05, "= 0.04996")]   // 0.050 would read as not below α
    [InlineData(0.0500004, 0.05, "= 0.050")]
    [InlineData(0.0004, 0.05, "< 0.001")]
    [InlineData(0.5, 0.05, "= 0.500")]
    public void A_printed_p_value_falls_on_the_same_side_of_alpha_as_the_p_value(double p, double alpha, string expected) =>
        Assert.Equal(expected, SeedStatistics.FormatP(p, alpha));

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, "0–4")]
    [InlineData(new[] { 4, 0, 2, 5, 6, 7 }, "0, 2, 4–7")]
    [InlineData(new[] { 3, 4 }, "3, 4")]
    public void Seeds_are_listed_as_ascending_runs(int[] seeds, string expected) => Assert.Equal(expected, SeedStatistics.SeedList(seeds));

    [Fact]
    public void Past_exact_enumeration_the_monte_carlo_p_value_agrees_with_the_exact_distribution()
    {
        // 30 integer differences: the exact null distribution of the signed sum by counting patterns per sum (a
        // convolution, not an enumeration of 2^30 patterns), p ≈ 0.1; the Monte Carlo's own error there is ~0.0007.
        var d = Enumerable.Range(0, 30).Select(i => (i % 3 == 0 ? -1 : 1) * (1 + i % 5)).ToArray();
        var patternsBySum = PatternsBySum(d);
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

    /// <summary>The exact null distribution of a signed sum: how many of the 2^n sign patterns give each sum (a convolution, not an enumeration).</summary>
    private static Dictionary<int, long> PatternsBySum(IEnumerable<int> differences)
    {
        var patternsBySum = new Dictionary<int, long> { [0] = 1 };
        foreach (var x in differences)
        {
            var next = new Dictionary<int, long>();
            foreach (var (sum, count) in patternsBySum)
                foreach (var signed in new[] { sum + x, sum - x })
                    next[signed] = next.GetValueOrDefault(signed) + count;
            patternsBySum = next;
        }
        return patternsBySum;
    }
}
