using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class AshSScoreTests
{
    // logits (h₁ + h₂, h₄ + 1): the third activation never counts, the second only when it survives the pruning.
    internal static readonly double[][] W = [[1, 1, 0, 0], [0, 0, 0, 1]];
    internal static readonly double[] B = [0, 1];
    internal static readonly double[] Z = [3, 1, 0, 2];   // s₁ = 6

    internal static T Fitted<T>(T score) where T : IFittedScore
    {
        score.Fit(IdThrough([Z], [0], W, B));
        return score;
    }

    internal static double Score(IOodScore score, double[] z) => ScoresOf(score, OutputThrough([z], W, B))[0];

    [Fact]
    public void Pruned_and_sharpened_energy_by_hand()
    {
        using var scope = NewDisposeScope();
        // p = 50: k = 4 − round(2) = 2 keeps 3 and 2, s₂ = 5: h = e^1.2·(3, 0, 0, 2), logits (3e^1.2, 2e^1.2 + 1).
        double e12 = Math.Exp(1.2);
        using var half = Fitted(new AshSScore(50));
        Assert.Equal(3 * e12 + Math.Log(1 + Math.Exp(1 - e12)), Score(half, Z), 9);
        // p = 65: k = 4 − round(2.6) = 1 keeps 3, s₂ = 3: h = e²·(3, 0, 0, 0), logits (3e², 1).
        using var most = Fitted(new AshSScore(65));
        Assert.Equal(3 * Math.Exp(2) + Math.Log(1 + Math.Exp(1 - 3 * Math.Exp(2))), Score(most, Z), 9);
    }

    [Fact]
    public void The_kept_count_rounds_half_to_even_as_numpy()
    {
        using var scope = NewDisposeScope();
        // p = 62.5: 4·0.625 = 2.5 rounds to 2, k = 2, the p = 50 value (half away from zero would keep 1, the p = 65 one).
        using var score = Fitted(new AshSScore(62.5));
        double e12 = Math.Exp(1.2);
        Assert.Equal(3 * e12 + Math.Log(1 + Math.Exp(1 - e12)), Score(score, Z), 9);
    }

    [Fact]
    public void A_zero_feature_scores_the_energy_of_the_bias_and_a_percentile_that_keeps_nothing_is_refused()
    {
        using var scope = NewDisposeScope();
        using var half = Fitted(new AshSScore(50));
        Assert.Equal(Math.Log(1 + Math.E), Score(half, [0, 0, 0, 0]), 9);   // logsumexp(0, 1)
        using var standard = Fitted(new AshSScore());   // p = 90: 4 − round(3.6) = 0
        Assert.Contains("ash_s", Assert.Throws<InvalidOperationException>(() => Score(standard, Z)).Message);
        Assert.Equal([65.0, 70, 75, 80, 85, 90, 95], AshSScore.SearchSpace);   // configs/postprocessors/ash.yml
    }

    [Fact]
    public void Where_nothing_pruned_is_active_it_is_scale_and_the_energy_of_e_times_z()
    {
        using var scope = NewDisposeScope();
        // p = 50 on D = 8 keeps 4; with only 4 activations above 0, s₂ = s₁ and the factor is e (values exact in float32).
        double[][] w = [[0.5, -1, 0, 2, 0.25, 0, 1, -0.5], [0, 0.375, 1, -1, 0, 2, 0, 0.125], [1, 1, 1, 1, 1, 1, 1, 1]];
        double[] b = [0.25, -0.125, 0];
        double[][] test = [[0.5, 0, 1.5, 0, 0, 2, 0, 0.25], [0, 0, 0, 3, 1, 0.125, 0.25, 0]];
        var id = IdThrough(test, [0, 1], w, b);
        using var ash = new AshSScore(50);
        using var scale = new ScaleScore(50);
        ash.Fit(id);
        scale.Fit(id);
        var output = OutputThrough(test, w, b);
        var expected = test.Select(z => LogSumExp(Affine(w, b, z.Select(v => Math.E * v).ToArray()))).ToArray();
        Assert.Equal(expected, ScoresOf(ash, output), new Within(1e-9));
        Assert.Equal(expected, ScoresOf(scale, output), new Within(1e-9));
    }
}
