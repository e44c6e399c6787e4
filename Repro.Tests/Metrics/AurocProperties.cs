using CsCheck;
using Repro.Metrics;
using Xunit;

namespace Repro.Tests.Metrics;

public class AurocProperties
{
    /// <summary>Scores drawn from a few integer levels so ties are frequent, on both sides and across them.</summary>
    private static readonly Gen<(double[] Id, double[] Ood)> TiedScores = Gen.Select(
        Gen.Int[0, 6].Select(i => (double)i).Array[1, 40],
        Gen.Int[0, 6].Select(i => (double)i).Array[1, 40]);

    private static double PairCount(double[] id, double[] ood)
    {
        double wins = 0;
        foreach (var a in id)
            foreach (var b in ood)
                wins += a > b ? 1 : a == b ? 0.5 : 0;
        return wins / (id.Length * (double)ood.Length);
    }

    [Fact]
    public void Equals_brute_force_pair_count_with_ties() =>
        TiedScores.Sample((id, ood) => Math.Abs(Auroc.Compute(id, ood) - PairCount(id, ood)) < 1e-12, iter: 500);

    [Fact]
    public void Equals_brute_force_pair_count_on_continuous_scores() =>
        Gen.Select(Gen.Double[-5, 5].Array[1, 60], Gen.Double[-5, 5].Array[1, 60])
            .Sample((id, ood) => Math.Abs(Auroc.Compute(id, ood) - PairCount(id, ood)) < 1e-12, iter: 300);

    [Fact]
    public void Invariant_to_strictly_increasing_transforms()
    {
        Func<double, double>[] transforms = [x => Math.Exp(x / 3), x => x * x * x + x, x => 7 * x - 2, Math.Atan];
        TiedScores.Sample((id, ood) => transforms.All(f =>
            Math.Abs(Auroc.Compute(id.Select(f).ToArray(), ood.Select(f).ToArray()) - Auroc.Compute(id, ood)) < 1e-12), iter: 300);
    }

    [Fact]
    public void Swapping_the_classes_gives_one_minus_auroc() =>
        TiedScores.Sample((id, ood) => Math.Abs(Auroc.Compute(ood, id) - (1 - Auroc.Compute(id, ood))) < 1e-12, iter: 300);

    [Fact]
    public void Perfect_reversed_and_all_tied_cases()
    {
        Assert.Equal(1.0, Auroc.Compute([3, 4], [1, 2]));
        Assert.Equal(0.0, Auroc.Compute([1, 2], [3, 4]));
        Assert.Equal(0.5, Auroc.Compute([2, 2, 2], [2, 2]));
    }

    [Fact]
    public void Empty_side_or_NaN_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Auroc.Compute([], [1.0]));
        Assert.Throws<ArgumentException>(() => Auroc.Compute([double.NaN], [1.0]));
    }
}
