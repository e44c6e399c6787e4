using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class VimScoreTests
{
    // W has full row rank; u = Wᵀ(1, −½, ¼) lies in its row space and b = −W u, so −pinv(W)·b = u (all exact in float32).
    private static readonly double[][] W = [[1, 2, 0, 1], [0, 1, -1, 0], [2, 0, 1, 1]];
    private static readonly double[] U = [1.5, 1.5, 0.75, 1.25];
    private static readonly double[] B = W.Select(row => -row.Select((w, j) => w * U[j]).Sum()).ToArray();

    /// <summary>
    /// Features about u with covariance exactly diag(5, 6.5, 0.625, 0.15625): D = 4 keeps dim = 2 principal
    /// dimensions, the first two axes, and the residual space is the last two.
    /// </summary>
    private static double[][] Offsets() =>
        [.. SignPatterns(new double[4], [3, 2, 1, 0.5]), .. SignPatterns(new double[4], [1, 3, 0.5, 0.25])];

    private static double[] At(double[] offset) => offset.Select((x, j) => U[j] + x).ToArray();

    private static VimScore Fitted()
    {
        var train = Offsets().Select(At).ToArray();
        var score = new VimScore();
        score.Fit(IdThrough(train, new long[train.Length], W, B));
        return score;
    }

    [Fact]
    public void Alpha_is_the_mean_max_logit_over_the_mean_residual_norm()
    {
        using var scope = NewDisposeScope();
        using var score = Fitted();
        var offsets = Offsets();
        double meanMaxLogit = offsets.Average(x => Affine(W, B, At(x)).Max());
        double meanResidual = offsets.Average(x => Math.Sqrt(x[2] * x[2] + x[3] * x[3]));
        Assert.Equal(2, VimScore.PrincipalDimensions(4));
        Assert.Equal(meanMaxLogit / meanResidual, score.Alpha, 6);
    }

    [Fact]
    public void Inside_the_principal_subspace_it_is_the_energy()
    {
        using var scope = NewDisposeScope();
        using var score = Fitted();
        double[][] test = [At([2, -1, 0, 0]), At([-4, 3.5, 0, 0]), At([0, 0, 0, 0]), At([7, 0.25, 0, 0])];
        var logits = test.Select(z => Affine(W, B, z)).ToArray();
        var actual = ScoresOf(score, Output(test, logits));
        for (int i = 0; i < test.Length; i++) Assert.Equal(LogSumExp(logits[i]), actual[i], 5);
    }

    [Fact]
    public void Off_it_the_residual_norm_times_alpha_is_subtracted()
    {
        using var scope = NewDisposeScope();
        using var score = Fitted();
        double[][] offsets = [[2, -1, 3, 4], [0, 0, -1, 0], [1, 1, 0.5, -2]];
        var test = offsets.Select(At).ToArray();
        var logits = test.Select(z => Affine(W, B, z)).ToArray();
        var actual = ScoresOf(score, Output(test, logits));
        for (int i = 0; i < test.Length; i++)
        {
            double residual = Math.Sqrt(offsets[i][2] * offsets[i][2] + offsets[i][3] * offsets[i][3]);
            Assert.Equal(LogSumExp(logits[i]) - score.Alpha * residual, actual[i], 5);
        }
    }

    [Fact]
    public void Principal_dimensions_follow_openood_at_512_and_half_below()
    {
        Assert.Equal(256, VimScore.PrincipalDimensions(512));
        Assert.Equal(256, VimScore.PrincipalDimensions(2048));
        Assert.Equal(32, VimScore.PrincipalDimensions(64));
    }
}
