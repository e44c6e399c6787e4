using Repro.Scores;
using Repro.Tests.Training;
using Xunit;
using static Repro.Tests.Scores.ScoreFixture;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

[Collection(TorchCollection.Name)]
public class KnnScoreTests
{
    /// <summary>−(distance to the k-th nearest unit-normalized training feature), by sorting every distance.</summary>
    private static double BruteForce(double[][] train, double[] z, int k)
    {
        static double[] Unit(double[] v) { double norm = Math.Sqrt(v.Sum(x => x * x)); return v.Select(x => x / norm).ToArray(); }
        var q = Unit(z);
        var distances = train.Select(Unit).Select(t => Math.Sqrt(t.Select((x, j) => (x - q[j]) * (x - q[j])).Sum())).OrderBy(d => d).ToArray();
        return -distances[Math.Min(k, train.Length) - 1];
    }

    [Fact]
    public void Equals_a_brute_force_search_with_k_50_below_n()
    {
        using var scope = NewDisposeScope();
        var random = new Random(11);
        var train = Gaussian(random, 200, 8, offset: 0.5);
        var test = Gaussian(random, 30, 8, offset: 0.2);
        using var score = new KnnScore();
        score.Fit(Id(train, new long[train.Length], classes: 1));
        var actual = ScoresOf(score, Output(test));
        for (int i = 0; i < test.Length; i++) Assert.Equal(BruteForce(train, test[i], 50), actual[i], 5);
    }

    [Fact]
    public void With_fewer_training_features_than_k_it_takes_the_farthest()
    {
        using var scope = NewDisposeScope();
        var random = new Random(12);
        var train = Gaussian(random, 20, 5);
        var test = Gaussian(random, 10, 5);
        using var score = new KnnScore();
        score.Fit(Id(train, new long[train.Length], classes: 1));
        var actual = ScoresOf(score, Output(test));
        for (int i = 0; i < test.Length; i++) Assert.Equal(BruteForce(train, test[i], 20), actual[i], 5);
    }

    [Fact]
    public void Scores_are_at_most_zero_and_a_training_point_beats_a_far_point()
    {
        using var scope = NewDisposeScope();
        var random = new Random(13);
        var train = Gaussian(random, 120, 6).Select(z => z.Select(v => 3 + 0.3 * v).ToArray()).ToArray();   // a cluster around (3, …, 3)
        double[][] test = [train[7], train[70], [-3, -3, -3, -3, -3, -3], [3, -3, 3, -3, 3, -3]];
        foreach (var k in new[] { 1, 50 })
        {
            using var score = new KnnScore(k);
            score.Fit(Id(train, new long[train.Length], classes: 1));
            var actual = ScoresOf(score, Output(test));
            Assert.All(actual, s => Assert.True(s <= 0, $"k = {k}: score {s}"));
            Assert.True(Math.Min(actual[0], actual[1]) > Math.Max(actual[2], actual[3]), $"k = {k}: {string.Join(", ", actual)}");
            if (k == 1) Assert.True(actual[0] > -1e-3 && actual[1] > -1e-3, "a training point is its own nearest neighbour");
        }
    }

    [Fact]
    public void Chunks_of_test_samples_agree_with_one_pass()
    {
        using var scope = NewDisposeScope();
        // 70,000 training features: a chunk holds 958 test samples, so 2,000 test samples take three chunks.
        var train = randn(70_000, 4, generator: new Generator(5));
        var test = randn(2_000, 4, generator: new Generator(6));
        using var score = new KnnScore();
        score.Fit(new Repro.Scores.IdTrainingFeatures(train, zeros(70_000, 1), zeros(70_000, ScalarType.Int64), zeros(1, 4), zeros(1)));
        var chunked = ScoresOf(score, new Repro.Model.ModelOutput(zeros(2_000, 1), test));
        var unitTrain = train / linalg.vector_norm(train, dims: new long[] { 1 }, keepdim: true);
        var unitTest = test / linalg.vector_norm(test, dims: new long[] { 1 }, keepdim: true);
        var oneByOne = new[] { 0, 957, 958, 1_915, 1_916, 1_999 }.Select(i =>
            -(2 - 2 * unitTest[i].matmul(unitTrain.t()).topk(50).values[49]).clamp_min(0).sqrt().item<float>()).ToArray();
        Assert.Equal(oneByOne.Select(v => (double)v), new[] { 0, 957, 958, 1_915, 1_916, 1_999 }.Select(i => chunked[i]), new ToleranceComparer(1e-6));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
