using CsCheck;
using Repro.Losses;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Normalization;

public class LogitNormLossProperties
{
    [Fact]
    public void Loss_is_invariant_to_positive_scaling_of_logits()
    {
        var loss = new LogitNormLoss();
        Gen.Select(Gen.Double[-20, 20].Array[10].Array[1, 6], Gen.Double[0.01, 100]).Sample((rows, scale) =>
        {
            using var scope = NewDisposeScope();
            var logits = tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, 10 }, ScalarType.Float64);
            if (linalg.vector_norm(logits, dims: new long[] { 1 }).min().item<double>() < 1e-2) return true;  // 1e-7 offset matters only near 0
            var targets = arange(rows.Length, dtype: ScalarType.Int64) % 10;
            double a = loss.PerSample(logits, targets).mean().item<double>();
            double b = loss.PerSample(logits * scale, targets).mean().item<double>();
            return Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a));
        }, iter: 300);
    }

    [Fact]
    public void Normalized_logits_have_norm_one_over_tau()
    {
        var loss = new LogitNormLoss(0.04);
        using var logits = tensor(new double[] { 3, 4, 0, 0, 0, 0, 0, 0, 0, 0 }).view(1, 10);
        using var n = loss.Normalize(logits);
        Assert.Equal(25.0, linalg.vector_norm(n).item<double>(), 5);
    }

    [Fact]
    public void Temperature_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogitNormLoss(0));
}
