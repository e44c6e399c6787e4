using Repro.Metrics;
using Xunit;

namespace Repro.Tests.Metrics;

/// <summary>DeLong's standard error against its definition, computed pair by pair, and against a known small case.</summary>
public class AurocErrorTests
{
    /// <summary>The definition, O(n·m): structural components from every (ID, OoD) pair, then their variances.</summary>
    private static double BruteForce(double[] id, double[] ood)
    {
        static double Psi(double x, double y) => x > y ? 1 : x == y ? 0.5 : 0;
        var v10 = id.Select(x => ood.Average(y => Psi(x, y))).ToArray();
        var v01 = ood.Select(y => id.Average(x => Psi(x, y))).ToArray();
        static double Var(double[] v) { double m = v.Average(); return v.Sum(x => (x - m) * (x - m)) / (v.Length - 1); }
        return Math.Sqrt(Var(v10) / id.Length + Var(v01) / ood.Length);
    }

    [Theory]
    [InlineData(1, 40, 30, 0)]
    [InlineData(2, 200, 150, 0)]
    [InlineData(3, 120, 80, 4)]   // scores rounded to few values: many ties
    public void Equals_the_pairwise_definition(int seed, int nId, int nOod, int roundTo)
    {
        var random = new Random(seed);
        double Draw(double shift) => roundTo > 0 ? Math.Round(random.NextDouble() * roundTo + shift) : random.NextDouble() + shift;
        var id = Enumerable.Range(0, nId).Select(_ => Draw(0.4)).ToArray();
        var ood = Enumerable.Range(0, nOod).Select(_ => Draw(0)).ToArray();
        Assert.Equal(BruteForce(id, ood), AurocError.StandardError(id, ood), 12);
    }

    [Fact]
    public void A_small_case_by_hand()
    {
        // ID {2, 3}, OoD {1, 2}: ID components (1 + ½)/2 = 0.75 and 1; OoD components 1 and (½ + 1)/2 = 0.75.
        // Each has variance 0.03125 (n − 1 = 1): Var = 0.03125/2 + 0.03125/2 → SE = √0.03125 = 0.1767767.
        Assert.Equal(Math.Sqrt(0.03125), AurocError.StandardError([2, 3], [1, 2]), 12);
    }

    [Fact]
    public void Perfect_separation_has_no_sampling_error_and_too_few_samples_are_refused()
    {
        Assert.Equal(0, AurocError.StandardError([5, 6, 7], [1, 2]));
        Assert.Throws<ArgumentException>(() => AurocError.StandardError([1], [0, 2]));
    }
}
