using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class ReactScoreTests
{
    private static readonly double[][] W = [[0.1, -0.2, 0.05, 0.3], [0.4, 0.1, -0.3, 0], [-0.1, 0.2, 0.2, -0.15]];
    private static readonly double[] B = [0.1, 0, -0.2];

    /// <summary>n × 4 features holding the activations 0, 1, …, 4n − 1.</summary>
    private static ReactScore FittedOnRange(int n)
    {
        var features = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, 4).Select(j => (double)(4 * i + j)).ToArray()).ToArray();
        var score = new ReactScore();
        score.Fit(Id(features, new long[n], features.Select(z => Affine(W, B, z)).ToArray(), W, B));
        return score;
    }

    [Fact]
    public void Above_every_activation_the_threshold_leaves_the_energy_of_w_z_plus_b()
    {
        using var scope = NewDisposeScope();
        using var score = FittedOnRange(25);
        Assert.Equal(89.1, score.Threshold, 9);   // np.percentile(range(100), 90): position 0.9 · 99 = 89.1, between 89 and 90
        var test = Gaussian(new Random(4), 12, 4).Select(z => z.Select(v => 10 * v).ToArray()).ToArray();
        Assert.All(test.SelectMany(z => z), v => Assert.True(v < 89.1));
        var actual = ScoresOf(score, Output(test, test.Select(_ => new double[3]).ToArray()));
        for (int i = 0; i < test.Length; i++) Assert.Equal(LogSumExp(Affine(W, B, test[i])), actual[i], 5);
    }

    [Fact]
    public void A_low_threshold_clips_as_by_hand()
    {
        using var scope = NewDisposeScope();
        using var score = FittedOnRange(5);
        Assert.Equal(17.1, score.Threshold, 9);   // np.percentile(range(20), 90): position 0.9 · 19 = 17.1
        double[][] test = [[20, 1, 18, 3], [-2, 17.5, 5, 30], [1, 2, 3, 4]];
        double[][] clipped = [[17.1, 1, 17.1, 3], [-2, 17.1, 5, 17.1], [1, 2, 3, 4]];
        var actual = ScoresOf(score, Output(test, test.Select(_ => new double[3]).ToArray()));
        for (int i = 0; i < test.Length; i++) Assert.Equal(LogSumExp(Affine(W, B, clipped[i])), actual[i], 5);
        Assert.NotEqual(LogSumExp(Affine(W, B, test[0])), actual[0], 2);
        Assert.NotEqual(LogSumExp(Affine(W, B, test[1])), actual[1], 2);
    }
}
