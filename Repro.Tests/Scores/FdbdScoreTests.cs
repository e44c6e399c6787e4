using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class FdbdScoreTests
{
    // Rows 3-4-5 apart: ‖w₀ − w₁‖ = ‖(3, −4)‖ = 5, ‖w₀ − w₂‖ = 3, ‖w₁ − w₂‖ = 4.
    private static readonly double[][] W = [[3, 0], [0, 4], [0, 0]];
    private static readonly double[] B = [1, 0, -1];
    private static readonly double[][] Train = [[1, 1], [3, 1], [2, 4], [2, 2]];   // mean μ = (2, 2)
    private static readonly double[][] Test = [[2, 1], [5, 6], [-1, -1]];

    private static double[] Scores(double[][] weight, double[] bias, bool distanceAsNormalizer = true)
    {
        using var score = new FdbdScore(distanceAsNormalizer);
        score.Fit(IdThrough(Train, [0, 1, 2, 0], weight, bias));
        return ScoresOf(score, OutputThrough(Test, weight, bias));
    }

    [Fact]
    public void Boundary_distances_over_the_distance_to_the_training_mean_by_hand()
    {
        using var scope = NewDisposeScope();
        var actual = Scores(W, B);
        // (2, 1): logits (7, 4, −1), class 0: |7 − 4|/5 + |7 + 1|/3 = 49/15; ‖z − μ‖ = ‖(0, −1)‖ = 1.
        Assert.Equal(49.0 / 15, actual[0], 9);
        // (5, 6): logits (16, 24, −1), class 1: |24 − 16|/5 + |24 + 1|/4 = 157/20; ‖z − μ‖ = ‖(3, 4)‖ = 5.
        Assert.Equal(157.0 / 100, actual[1], 9);
        // (−1, −1): logits (−2, −4, −1), class 2: |−1 + 2|/3 + |−1 + 4|/4 = 13/12; ‖z − μ‖ = ‖(−3, −3)‖ = 3√2.
        Assert.Equal(13 / (36 * Math.Sqrt(2)), actual[2], 9);
    }

    [Fact]
    public void Without_the_distance_it_divides_by_the_feature_norm()
    {
        using var scope = NewDisposeScope();
        var actual = Scores(W, B, distanceAsNormalizer: false);
        Assert.Equal(49 / (15 * Math.Sqrt(5)), actual[0], 9);    // ‖(2, 1)‖ = √5
        Assert.Equal(157 / (20 * Math.Sqrt(61)), actual[1], 9);  // ‖(5, 6)‖ = √61
        Assert.Equal(13 / (12 * Math.Sqrt(2)), actual[2], 9);    // ‖(−1, −1)‖ = √2
        Assert.Equal([true, false], FdbdScore.SearchSpace);      // configs/postprocessors/fdbd.yml
    }

    [Fact]
    public void Scaling_the_classifier_leaves_the_distances_to_its_boundaries_unchanged()
    {
        using var scope = NewDisposeScope();
        var scaled = Scores(W.Select(row => row.Select(w => 4 * w).ToArray()).ToArray(), B.Select(b => 4 * b).ToArray());
        Assert.Equal(Scores(W, B), scaled, new Within(1e-9));
    }
}
