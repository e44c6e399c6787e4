using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.AshSScoreTests;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class ScaleScoreTests
{
    // AshSScoreTests' fixture: z = (3, 1, 0, 2), s₁ = 6; logits (h₁ + h₂, h₄ + 1).

    [Fact]
    public void Sharpened_unpruned_energy_by_hand()
    {
        using var scope = NewDisposeScope();
        // p = 50: k = 2 keeps 3 and 2, s₂ = 5: h = e^1.2·(3, 1, 0, 2), logits (4e^1.2, 2e^1.2 + 1).
        double e12 = Math.Exp(1.2);
        using var half = Fitted(new ScaleScore(50));
        Assert.Equal(4 * e12 + Math.Log(1 + Math.Exp(1 - 2 * e12)), Score(half, Z), 9);
    }

    [Fact]
    public void The_default_percentile_85_keeps_one_of_four()
    {
        using var scope = NewDisposeScope();
        // k = 4 − round(3.4) = 1 keeps 3, s₂ = 3: h = e²·(3, 1, 0, 2), logits (4e², 2e² + 1).
        double e2 = Math.Exp(2);
        using var standard = Fitted(new ScaleScore());
        Assert.Equal(4 * e2 + Math.Log(1 + Math.Exp(1 - 2 * e2)), Score(standard, Z), 9);
        Assert.Equal([65.0, 70, 75, 80, 85, 90, 95], ScaleScore.SearchSpace);   // configs/postprocessors/scale.yml
    }

    [Fact]
    public void The_factor_ignores_the_features_scale_so_a_bias_free_score_is_the_energy_of_c_times_the_logits()
    {
        using var scope = NewDisposeScope();
        // Without a bias, z and 10·z share s₁/s₂, so their logits differ by the factor 10 exactly: e²·(4, 2) and e²·(40, 20).
        double[] noBias = [0, 0];
        using var score = new ScaleScore();
        score.Fit(IdThrough([Z], [0], W, noBias));
        double e2 = Math.Exp(2);
        double[] tenfold = [.. Z.Select(v => 10 * v)];
        var actual = ScoresOf(score, Output([Z, tenfold], [new double[2], new double[2]]));
        Assert.Equal(4 * e2 + Math.Log(1 + Math.Exp(-2 * e2)), actual[0], 9);
        Assert.Equal(40 * e2 + Math.Log(1 + Math.Exp(-20 * e2)), actual[1], 9);
    }
}
