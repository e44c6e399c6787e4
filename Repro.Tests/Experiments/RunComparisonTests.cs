using Repro.Experiments;
using Repro.Metrics;
using Repro.Runs;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>`repro compare`'s statistics (Experiments/RunComparison.cs) on hand-made units with hand-computed answers.</summary>
public class RunComparisonTests
{
    private static UnitResult Unit(string row, int seed, double accuracy, double auroc, params double[] losses) => new(
        row, seed, "feature_norm", accuracy,
        new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
        {
            ["mnist"] = new Dictionary<string, OodMetrics> { ["feature_norm"] = new(auroc, 0, 0, 0), ["msp"] = new(0.5, 0, 0, 0) },
        },
        losses.Select((l, e) => new EpochRecord(e + 1, 0.1, l, 0, 1, 1)).ToList(), 0, 0, "test",
        new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    [Fact]
    public void Units_pair_by_row_and_seed_and_the_rest_are_named()
    {
        var comparison = RunComparison.Of(
            [Unit("l2", 0, 0.9, 0.9, 1.0), Unit("l2", 1, 0.9, 0.9, 1.0), Unit("l2", 2, 0.9, 0.9, 1.0)],
            [Unit("l2", 2, 0.9, 0.9, 1.0), Unit("l2", 1, 0.9, 0.9, 1.0), Unit("l2", 3, 0.9, 0.9, 1.0), Unit("no-l2", 1, 0.9, 0.9, 1.0)]);
        Assert.Equal([(1, "l2"), (2, "l2")], comparison.Pairs.Select(p => (p.Seed, p.Row)));
        Assert.Equal(["l2 seed 0"], comparison.OnlyFirst);
        Assert.Equal(["l2 seed 3", "no-l2 seed 1"], comparison.OnlySecond);
    }

    [Fact]
    public void Quantities_are_each_epochs_loss_the_accuracy_and_the_own_scores_auroc()
    {
        var comparison = RunComparison.Of(
            [Unit("l2", 0, 0.90, 0.95, 2.0, 1.0), Unit("l2", 1, 0.80, 0.85, 2.5, 1.5)],
            [Unit("l2", 0, 0.85, 0.90, 2.3, 1.0), Unit("l2", 1, 0.84, 0.80, 2.1, 1.5)]);
        var quantities = comparison.Quantities();
        Assert.Equal(["loss@1", "loss@2", "accuracy", "auroc:mnist"], quantities.Select(q => q.Quantity));
        var loss1 = quantities[0];
        Assert.Equal([(0, 2.0, 2.3), (1, 2.5, 2.1)], loss1.Values);
        // Differences −0.3 and +0.4: RMS = √((0.09 + 0.16) / 2).
        Assert.Equal(Math.Sqrt(0.125), loss1.Rms, 12);
        // The own score (feature_norm), not msp: differences +0.05 and +0.05.
        Assert.Equal(0.05, quantities[3].Paired!.MeanDifference, 12);
        Assert.Equal(0.0, quantities[1].Rms);
    }

    [Fact]
    public void Noise_check_is_an_f_test_of_mean_squares_with_a_bonferroni_level()
    {
        // One quantity (accuracy; no epochs, one OoD set equal on both sides): compared differences ±0.2 on three seeds
        // (mean square 0.04), the repeat's ±0.1 (0.01): F = 4 on (3, 3) degrees of freedom, upper tail 0.14238
        // (by numerical integration of F's density, independent of the code's library).
        UnitResult U(int seed, double accuracy) => Unit("l2", seed, accuracy, 0.9);
        var compared = RunComparison.Of([U(0, 0.7), U(1, 0.3), U(2, 0.7)], [U(0, 0.5), U(1, 0.5), U(2, 0.5)]);
        var repeat = RunComparison.Of([U(0, 0.6), U(1, 0.4), U(2, 0.6)], [U(0, 0.5), U(1, 0.5), U(2, 0.5)]);
        var accuracy = NoiseCheck.Judge(compared, repeat).Single(c => c.Quantity == "accuracy");
        Assert.Equal(4.0, accuracy.Ratio, 9);
        Assert.Equal(0.142378, accuracy.PValue, 5);
        Assert.True(accuracy.WithinNoise);   // 0.142 ≥ 0.05 / 2 quantities

        // F = 12: p = 0.035371, beyond 0.05 for one quantity but within Bonferroni's 0.05 / 2 for the two judged here.
        double d = 0.1 * Math.Sqrt(12);
        var between = NoiseCheck.Judge(RunComparison.Of([U(0, 0.5 + d), U(1, 0.5 - d), U(2, 0.5 + d)], [U(0, 0.5), U(1, 0.5), U(2, 0.5)]), repeat)
            .Single(c => c.Quantity == "accuracy");
        Assert.Equal(0.035371, between.PValue, 5);
        Assert.True(between.WithinNoise);

        // Ten times the repeat's spread is beyond it: F = 100, p ≈ 0.0017 < 0.025.
        var far = RunComparison.Of([U(0, 1.5), U(1, -0.5), U(2, 1.5)], [U(0, 0.5), U(1, 0.5), U(2, 0.5)]);
        Assert.False(NoiseCheck.Judge(far, repeat).Single(c => c.Quantity == "accuracy").WithinNoise);

        // A bit-identical repeat leaves no noise: any difference fails, none passes.
        var exact = RunComparison.Of([U(0, 0.5), U(1, 0.5), U(2, 0.5)], [U(0, 0.5), U(1, 0.5), U(2, 0.5)]);
        Assert.False(NoiseCheck.Judge(compared, exact).Single(c => c.Quantity == "accuracy").WithinNoise);
        Assert.True(NoiseCheck.Judge(exact, exact).Single(c => c.Quantity == "accuracy").WithinNoise);
    }

    [Fact]
    public void Equivalence_needs_the_whole_interval_inside_the_margin()
    {
        // AUROC differences 0.01, 0.02, 0.03: mean 0.02, SD 0.01, half-width t(2, 0.975) · 0.01 / √3 = 0.0248414.
        var comparison = RunComparison.Of(
            [Unit("l2", 0, 0.9, 0.91), Unit("l2", 1, 0.9, 0.92), Unit("l2", 2, 0.9, 0.93)],
            [Unit("l2", 0, 0.9, 0.90), Unit("l2", 1, 0.9, 0.90), Unit("l2", 2, 0.9, 0.90)]);
        var wide = Assert.Single(Equivalence.Judge(comparison, (_, _) => 0.05));
        Assert.Equal("auroc:mnist", wide.Quantity);
        Assert.Equal(0.02 - 0.0248414, wide.Difference.Interval.Low, 6);
        Assert.Equal(0.02 + 0.0248414, wide.Difference.Interval.High, 6);
        Assert.True(wide.Shown);
        Assert.False(Assert.Single(Equivalence.Judge(comparison, (_, _) => 0.04)).Shown);   // 0.0448 ≥ 0.04

        // From bands: a third of the half-width of the row's AUROC band for that OoD set; no band, no judgement.
        var bands = new ToleranceBands("x", 1, "", [new Band("l2", Band.AurocAverage, "mnist", 0.90, 0.96, "r")], []);
        var margins = Equivalence.MarginsFrom(bands);
        Assert.Equal(0.01, margins("l2", "auroc:mnist")!.Value, 12);
        Assert.Null(margins("l2", "auroc:svhn"));
        Assert.Null(margins("no-l2", "auroc:mnist"));
    }
}
