using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class MahalanobisScoreTests
{
    [Fact]
    public void With_an_identity_shared_covariance_it_is_minus_the_squared_distance_to_the_nearest_mean()
    {
        using var scope = NewDisposeScope();
        double[][] means = [[4, 0, -1], [-3, 2, 5]];
        // Each class: its mean ± 1 in every dimension, so the pooled class-centered covariance (÷ N) is exactly I.
        var features = means.SelectMany(m => SignPatterns(m, [1, 1, 1])).ToArray();
        long[] labels = [.. Enumerable.Repeat(0L, 8), .. Enumerable.Repeat(1L, 8)];
        using var score = new MahalanobisScore();
        score.Fit(Id(features, labels, classes: 2));

        // Rounded to float32 here, as the features tensor carries them, so the expected value sees the same points.
        var test = Gaussian(new Random(3), 25, 3).Select(z => z.Select(v => (double)(float)(4 * v)).ToArray()).Concat(means).ToArray();
        var actual = ScoresOf(score, Output(test));
        for (int i = 0; i < test.Length; i++)
        {
            double nearest = means.Min(m => m.Select((v, j) => (test[i][j] - v) * (test[i][j] - v)).Sum());
            Assert.Equal(-nearest, actual[i], 9);
        }
    }

    [Fact]
    public void One_dimensional_case_by_hand()
    {
        using var scope = NewDisposeScope();
        // Class 0 {0, 2} (mean 1), class 1 {10, 14} (mean 12); centered {−1, 1, −2, 2}: variance 10/4 = 2.5, precision 0.4.
        using var score = new MahalanobisScore();
        score.Fit(Id([[0], [2], [10], [14]], [0, 0, 1, 1], classes: 2));
        var actual = ScoresOf(score, Output([[3], [8], [1], [12]]));
        Assert.Equal(-0.4 * 4, actual[0], 12);    // class 0: (3 − 1)² = 4; class 1: 81
        Assert.Equal(-0.4 * 16, actual[1], 12);   // class 1: (8 − 12)² = 16; class 0: 49
        Assert.Equal(0, actual[2], 12);
        Assert.Equal(0, actual[3], 12);
    }

    [Fact]
    public void An_empty_class_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        using var score = new MahalanobisScore();
        var error = Assert.Throws<InvalidOperationException>(() => score.Fit(Id([[0], [2]], [0, 0], classes: 2)));
        Assert.Contains("mahalanobis", error.Message);
        Assert.Contains("class 1", error.Message);
    }
}
