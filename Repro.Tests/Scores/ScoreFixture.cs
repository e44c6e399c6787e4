using Repro.Model;
using Repro.Scores;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

/// <summary>Small hand-made inputs for the score tests: rows of doubles in, float32 tensors as the model gives them.</summary>
internal static class ScoreFixture
{
    public static Tensor Matrix(double[][] rows) =>
        tensor(rows.SelectMany(r => r).Select(v => (float)v).ToArray()).view(rows.Length, rows[0].Length);

    /// <summary>ID training features with zero logits over <paramref name="classes"/> classes and a zero classifier.</summary>
    public static IdTrainingFeatures Id(double[][] features, long[] labels, int classes) =>
        Id(features, labels, features.Select(_ => new double[classes]).ToArray(),
            Enumerable.Range(0, classes).Select(_ => new double[features[0].Length]).ToArray(), new double[classes]);

    public static IdTrainingFeatures Id(double[][] features, long[] labels, double[][] logits, double[][] weight, double[] bias) =>
        new(Matrix(features), Matrix(logits), tensor(labels), Matrix(weight), tensor(bias.Select(v => (float)v).ToArray()));

    /// <summary>ID training features whose logits are the classifier's own, W·z + b, as a trained model gives them.</summary>
    public static IdTrainingFeatures IdThrough(double[][] features, long[] labels, double[][] weight, double[] bias) =>
        Id(features, labels, features.Select(z => Affine(weight, bias, z)).ToArray(), weight, bias);

    /// <summary>A model's output for <paramref name="features"/> through the classifier W·z + b.</summary>
    public static ModelOutput OutputThrough(double[][] features, double[][] weight, double[] bias) =>
        Output(features, features.Select(z => Affine(weight, bias, z)).ToArray());

    /// <summary>Features only; the logits are zeros over one class (for scores that read only the features).</summary>
    public static ModelOutput Output(double[][] features) => new(zeros(features.Length, 1), Matrix(features));

    public static ModelOutput Output(double[][] features, double[][] logits) => new(Matrix(logits), Matrix(features));

    public static double[] ScoresOf(IOodScore score, ModelOutput output)
    {
        using var s = score.Compute(output);
        return s.to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>Every ± sign pattern of <paramref name="magnitudes"/> added to <paramref name="center"/>: 2^D points whose
    /// mean is the center and whose covariance (divided by their count) is exactly diag(magnitudes²).</summary>
    public static IEnumerable<double[]> SignPatterns(double[] center, double[] magnitudes) =>
        Enumerable.Range(0, 1 << magnitudes.Length).Select(bits =>
            center.Select((c, j) => c + ((bits >> j & 1) == 1 ? magnitudes[j] : -magnitudes[j])).ToArray());

    public static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double max = v.Max();
        return max + Math.Log(v.Sum(x => Math.Exp(x - max)));
    }

    public static double[] Affine(double[][] weight, double[] bias, double[] z) =>
        weight.Select((row, c) => bias[c] + row.Select((w, j) => w * z[j]).Sum()).ToArray();

    public static double[][] Gaussian(Random random, int n, int d, double offset = 0) =>
        Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ =>
            offset + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray()).ToArray();

    /// <summary>Compares doubles to within an absolute <paramref name="tolerance"/> (for Assert.Equal over sequences).</summary>
    public sealed class Within(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
