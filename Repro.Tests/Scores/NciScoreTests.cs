using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class NciScoreTests
{
    private static readonly double[][] W = [[3, 4], [0, -2]];   // ‖w₀‖ = 5, ‖w₁‖ = 2
    private static readonly double[] B = [0, 0];
    private static readonly double[][] Train = [[0, 0], [2, 2], [1, 3], [1, -1]];   // mean μ = (1, 1)

    private static double[] Scores(double alpha, double[][] test)
    {
        using var score = new NciScore(alpha);
        score.Fit(IdThrough(Train, [0, 0, 1, 1], W, B));
        return ScoresOf(score, OutputThrough(test, W, B));
    }

    [Fact]
    public void Proximity_to_the_predicted_row_plus_the_l1_term_by_hand()
    {
        using var scope = NewDisposeScope();
        double[][] test = [[4, 5], [1, -2], [-1, 1]];
        // (4, 5): logits (32, −10), class 0; z − μ = (3, 4), ‖·‖ = 5, w₀·(3, 4) = 25: 25/5 = 5; ‖z‖₁ = 9.
        // (1, −2): logits (−5, 4), class 1; z − μ = (0, −3), ‖·‖ = 3, w₁·(0, −3) = 6: 2; ‖z‖₁ = 3.
        // (−1, 1): logits (1, −2), class 0; z − μ = (−2, 0), ‖·‖ = 2, w₀·(−2, 0) = −6: −3; ‖z‖₁ = 2.
        Assert.Equal([5 + 9e-4, 2 + 3e-4, -3 + 2e-4], Scores(1e-4, test), new Within(1e-12));
        Assert.Equal([5.9, 2.3, -2.8], Scores(0.1, test), new Within(1e-12));
        Assert.Equal([1e-4, 1e-3, 1e-2, 1e-1], NciScore.SearchSpace);   // configs/postprocessors/nci.yml
    }

    [Fact]
    public void Without_the_l1_term_it_peaks_at_the_predicted_rows_norm_along_that_row()
    {
        using var scope = NewDisposeScope();
        double[][] test = [[2.5, 3], [22, 29], [1, -3], [-2, -3]];
        var actual = Scores(0, test);
        // μ + t·w₀ (t = 0.5, 7), class 0: ‖w₀‖·cos 0 = 5 whatever t; μ + 2·w₁ = (1, −3), class 1: ‖w₁‖ = 2.
        Assert.Equal([5, 5, 2], actual.Take(3), new Within(1e-5));
        // μ − w₀ = (−2, −3): logits (−18, 6), class 1; w₁·(−3, −4)/5 = 8/5, not w₀'s −5.
        Assert.Equal(1.6, actual[3], 5);
    }
}
