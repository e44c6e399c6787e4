using CsCheck;
using Repro.Metrics;
using Xunit;

namespace Repro.Tests.Metrics;

/// <summary>The curve the report draws agrees with the metrics it is drawn beside.</summary>
public class RocCurveProperties
{
    private static readonly Gen<(double[] Id, double[] Ood)> TiedScores = Gen.Select(
        Gen.Int[0, 6].Select(i => (double)i).Array[1, 40],
        Gen.Int[0, 6].Select(i => (double)i).Array[1, 40]);

    private static readonly Gen<(double[] Id, double[] Ood)> Continuous = Gen.Select(
        Gen.Double[-5, 5].Array[1, 200], Gen.Double[-5, 5].Array[1, 200]);

    [Fact]
    public void Area_is_the_auroc_with_and_without_ties()
    {
        TiedScores.Sample((id, ood) => Math.Abs(RocCurve.Compute(id, ood).Area() - Auroc.Compute(id, ood)) < 1e-12, iter: 500);
        Continuous.Sample((id, ood) => Math.Abs(RocCurve.Compute(id, ood).Area() - Auroc.Compute(id, ood)) < 1e-12, iter: 300);
    }

    [Fact]
    public void Fpr_at_95_tpr_is_the_metric() =>
        Gen.Select(TiedScores, Gen.Double[0.05, 1]).Sample((scores, tpr) =>
            RocCurve.Compute(scores.Id, scores.Ood).FprAt(tpr, scores.Id.Length) == FprAtTpr.Compute(scores.Id, scores.Ood, tpr), iter: 500);

    [Fact]
    public void Fpr_at_a_tpr_whose_product_rounds_up_in_floating_point_is_the_hand_counted_one()
    {
        // ID scores 1..25, OoD 0.5, 18.5, 19.5, 20.5. TPR 0.28 needs 7 ID scores at or above the threshold: threshold
        // 19, reached by 2 of the 4 OoD scores (19.5, 20.5), FPR 0.5. In doubles 0.28 · 25 = 7.000000000000001: a
        // plain ceiling asks for 8, threshold 18, and counts 18.5 as well (0.75).
        double[] id = Enumerable.Range(1, 25).Select(i => (double)i).ToArray(), ood = [0.5, 18.5, 19.5, 20.5];
        Assert.Equal(0.5, FprAtTpr.Compute(id, ood, 0.28));
        Assert.Equal(0.5, RocCurve.Compute(id, ood).FprAt(0.28, id.Length));
    }

    [Fact]
    public void Runs_from_origin_to_one_one_monotonically() =>
        Continuous.Sample((id, ood) =>
        {
            var c = RocCurve.Compute(id, ood);
            return c.Fpr[0] == 0 && c.Tpr[0] == 0 && c.Fpr[^1] == 1 && c.Tpr[^1] == 1
                   && c.Fpr.Zip(c.Fpr.Skip(1)).All(p => p.First <= p.Second) && c.Tpr.Zip(c.Tpr.Skip(1)).All(p => p.First <= p.Second);
        }, iter: 300);

    [Fact]
    public void Thinning_bounds_points_and_keeps_the_shape()
    {
        var random = new Random(3);
        var id = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() + 0.3).ToArray();
        var ood = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble()).ToArray();
        var full = RocCurve.Compute(id, ood);
        var thin = full.Thin(200);
        Assert.InRange(thin.Fpr.Length, 100, 2 * 200 + 2);
        Assert.Equal((0.0, 0.0, 1.0, 1.0), (thin.Fpr[0], thin.Tpr[0], thin.Fpr[^1], thin.Tpr[^1]));
        Assert.InRange(Math.Abs(thin.Area() - full.Area()), 0, 0.005);
    }
}
