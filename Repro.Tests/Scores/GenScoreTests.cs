using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class GenScoreTests
{
    /// <summary>Logits whose softmax is (0.7, 0.2, 0.1), and the uniform (1/3, 1/3, 1/3).</summary>
    private static double[][] Logits => [[Math.Log(0.7), Math.Log(0.2), Math.Log(0.1)], [0, 0, 0]];

    [Fact]
    public void Three_class_value_by_hand()
    {
        using var scope = NewDisposeScope();
        var actual = ScoresOf(new GenScore(), Output([[0], [0]], Logits));
        // −(0.21^0.1 + 0.16^0.1 + 0.09^0.1): p(1 − p) = 0.7·0.3, 0.2·0.8, 0.1·0.9.
        Assert.Equal(-2.4740600664662553, actual[0], 6);
        Assert.Equal(-3 * Math.Pow(2.0 / 9, 0.1), actual[1], 6);
        Assert.True(actual[0] > actual[1], "a confident prediction beats the uniform one");
    }

    [Fact]
    public void Only_the_m_largest_probabilities_count()
    {
        using var scope = NewDisposeScope();
        var actual = ScoresOf(new GenScore(m: 2), Output([[0], [0]], Logits));
        Assert.Equal(-(Math.Pow(0.21, 0.1) + Math.Pow(0.16, 0.1)), actual[0], 6);
        Assert.Equal(-2 * Math.Pow(2.0 / 9, 0.1), actual[1], 6);
    }

    [Fact]
    public void Its_value_holds_where_float32_rounds_the_top_probability_to_one()
    {
        using var scope = NewDisposeScope();
        // Margin 20: the others' probability e^−20/(1 + 2e^−20) each; 1 − p_top = twice that, which float32 rounds to 0,
        // dropping the largest term, (p_top · (1 − p_top))^γ ≈ 0.145.
        double other = Math.Exp(-20) / (1 + 2 * Math.Exp(-20)), top = 1 / (1 + 2 * Math.Exp(-20));
        double expected = -(Math.Pow(top * 2 * other, 0.1) + 2 * Math.Pow(other * (1 - other), 0.1));
        var actual = ScoresOf(new GenScore(), Output([[0]], [[20, 0, 0]]));
        Assert.Equal(expected, actual[0], 6);
    }
}
