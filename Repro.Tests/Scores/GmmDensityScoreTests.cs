using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class GmmDensityScoreTests
{
    [Fact]
    public void With_one_class_it_is_the_closed_form_gaussian_log_density()
    {
        using var scope = NewDisposeScope();
        double[][] points = [[1, 2], [2, 1], [3, 4], [0, 1], [2, 3], [4, 2], [1.5, -1]];
        using var score = new GmmDensityScore();
        score.Fit(Id(points, new long[points.Length], classes: 1));
        Assert.Equal(0, score.Jitter);

        // Mean and covariance with 1/(n − 1), the 2×2 inverse written out.
        int n = points.Length;
        double mx = points.Average(p => p[0]), my = points.Average(p => p[1]);
        double sxx = points.Sum(p => (p[0] - mx) * (p[0] - mx)) / (n - 1);
        double syy = points.Sum(p => (p[1] - my) * (p[1] - my)) / (n - 1);
        double sxy = points.Sum(p => (p[0] - mx) * (p[1] - my)) / (n - 1);
        double det = sxx * syy - sxy * sxy;
        double[][] test = [[2, 2], [-1, 5], [(float)mx, (float)my], [10, -3]];   // float32, as the features tensor carries them
        var actual = ScoresOf(score, Output(test));
        for (int i = 0; i < test.Length; i++)
        {
            double dx = test[i][0] - mx, dy = test[i][1] - my;
            double quadratic = (syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det;
            double expected = -0.5 * (2 * Math.Log(2 * Math.PI) + Math.Log(det) + quadratic);
            Assert.Equal(expected, actual[i], 9);
        }
    }

    [Fact]
    public void Two_classes_give_the_logsumexp_of_their_densities()
    {
        using var scope = NewDisposeScope();
        // Each class: its mean ± (1, 2), covariance diag(1, 4)·4/3 with 1/(n − 1) over 4 points.
        double[][] means = [[0, 0], [6, -2]];
        var features = means.SelectMany(m => SignPatterns(m, [1, 2])).ToArray();
        using var score = new GmmDensityScore();
        score.Fit(Id(features, [0, 0, 0, 0, 1, 1, 1, 1], classes: 2));
        double vx = 4.0 / 3, vy = 16.0 / 3;
        double[][] test = [[1, 1], [3, -1], [6, -2]];
        var actual = ScoresOf(score, Output(test));
        for (int i = 0; i < test.Length; i++)
        {
            var z = test[i];
            double expected = LogSumExp(means.Select(m =>
                -0.5 * (2 * Math.Log(2 * Math.PI) + Math.Log(vx * vy) + (z[0] - m[0]) * (z[0] - m[0]) / vx + (z[1] - m[1]) * (z[1] - m[1]) / vy)));
            Assert.Equal(expected, actual[i], 9);
        }
    }

    [Fact]
    public void A_degenerate_class_still_fits_thanks_to_the_jitter_and_scores_stay_finite()
    {
        using var scope = NewDisposeScope();
        // Class 0 lies on the line y = 3 (a rank-1 covariance); class 1 is full rank.
        double[][] features = [[-2, 3], [-1, 3], [0, 3], [1, 3], [2, 3], [5, 0], [6, 1], [7, 0], [6, -1], [5.5, 0.5]];
        using var score = new GmmDensityScore();
        score.Fit(Id(features, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], classes: 2));
        Assert.True(score.Jitter > 0, $"jitter {score.Jitter}");

        var actual = ScoresOf(score, Output([[0.5, 3], [0.5, 4], [6, 0], [-20, 20]]));
        Assert.All(actual, s => Assert.True(double.IsFinite(s), $"score {s}"));
        Assert.True(actual[0] > actual[1], "on the degenerate class's line beats off it");
    }

    [Fact]
    public void A_class_with_one_sample_is_refused_by_name()
    {
        using var scope = NewDisposeScope();
        using var score = new GmmDensityScore();
        var error = Assert.Throws<InvalidOperationException>(() => score.Fit(Id([[0, 1], [2, 2], [5, 5]], [0, 0, 1], classes: 2)));
        Assert.Contains("ddu_gmm", error.Message);
    }

    [Fact]
    public void Non_finite_features_fail_with_the_score_named()
    {
        using var scope = NewDisposeScope();
        using var score = new GmmDensityScore();
        var error = Assert.Throws<InvalidOperationException>(() =>
            score.Fit(Id([[0, 1], [2, double.NaN], [5, 5]], [0, 0, 0], classes: 1)));
        Assert.Contains("ddu_gmm", error.Message);
    }
}
