using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class RmdsScoreTests
{
    [Fact]
    public void One_dimensional_case_by_hand()
    {
        using var scope = NewDisposeScope();
        // Class 0 {0, 2} (mean 1), class 1 {10, 14} (mean 12): class-centered variance 10/4, precision 2/5.
        // Background: mean 6.5, deviations −6.5, −4.5, 3.5, 7.5, variance 131/4, precision 4/131.
        using var score = new RmdsScore();
        score.Fit(Id([[0], [2], [10], [14]], [0, 0, 1, 1], classes: 2));
        var actual = ScoresOf(score, Output([[3], [8], [6.5]]));
        Assert.Equal(-803.0 / 655, actual[0], 12);    // class 0: −(2/5)·2² = −8/5; background (4/131)·3.5² = 49/131
        Assert.Equal(-4147.0 / 655, actual[1], 12);   // class 1: −(2/5)·4² = −32/5; background (4/131)·1.5² = 9/131
        Assert.Equal(-12.1, actual[2], 12);           // both classes −(2/5)·5.5²; at the background mean 0
    }

    [Fact]
    public void Two_dimensional_case_by_hand_is_the_mahalanobis_score_plus_the_background_distance()
    {
        using var scope = NewDisposeScope();
        // Class 0: (±1, ±1); class 1: (4 ± 1, ±1). Class-centered covariance I. Background: mean (2, 0), x deviations
        // ±1 and ±3 (variance 5), y ±1 (variance 1), no covariance: precision diag(1/5, 1).
        double[][] features = [.. SignPatterns([0, 0], [1, 1]), .. SignPatterns([4, 0], [1, 1])];
        var id = Id(features, [0, 0, 0, 0, 1, 1, 1, 1], classes: 2);
        using var rmds = new RmdsScore();
        using var mahalanobis = new MahalanobisScore();
        rmds.Fit(id);
        mahalanobis.Fit(id);
        var output = Output([[1, 2], [2, 0], [6, -1], [2, 3]]);
        // Nearest class: 1 + 4 = 5; 4 (both); 4 + 1 = 5; 4 + 9 = 13 (both). Background: 1/5 + 4; 0; 16/5 + 1; 0 + 9.
        Assert.Equal([-5, -4, -5, -13], ScoresOf(mahalanobis, output), new Within(1e-9));
        Assert.Equal([-0.8, -4, -0.8, -4], ScoresOf(rmds, output), new Within(1e-9));
        // (2, 3) lies 3 further than (2, 0) along y, which the whole ID set varies in as much as each class does: no worse.
    }

    [Fact]
    public void It_is_invariant_to_an_invertible_affine_map_of_the_features()
    {
        using var scope = NewDisposeScope();
        var random = new Random(21);
        var train = Gaussian(random, 30, 3, offset: 1);
        long[] labels = [.. Enumerable.Range(0, 30).Select(i => (long)(i % 3))];
        var test = Gaussian(random, 10, 3, offset: 0.5);
        double[][] a = [[2, 1, 0], [0, 1, -1], [1, 0, 3]];   // determinant 5
        double[] t = [1, -2, 0.5];
        double[][] Map(double[][] rows) => rows.Select(z => Affine(a, t, z)).ToArray();

        using var plain = new RmdsScore();
        using var mapped = new RmdsScore();
        plain.Fit(Id(train, labels, classes: 3));
        mapped.Fit(Id(Map(train), labels, classes: 3));
        Assert.Equal(ScoresOf(plain, Output(test)), ScoresOf(mapped, Output(Map(test))), new Within(1e-3));
    }
}
