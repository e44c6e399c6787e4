using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// What ASH-S (<see cref="AshSScore"/>) and SCALE (<see cref="ScaleScore"/>) share, as OpenOOD's ash_s
/// (openood/networks/ash_net.py) and scale (openood/networks/scale_net.py) compute it on a feature of n activations:
/// keep the k = n − round(n·p/100) largest, and sharpen by exp(s₁/s₂), s₁ the sum of every activation and s₂ of the
/// kept ones.
/// </summary>
internal static class ActivationShaping
{
    /// <summary>
    /// k = n − round(n·p/100) with numpy's rounding, half to even (Math.Round's default): n = 4, p = 62.5 keeps 2.
    /// Throws, naming the score, where that keeps nothing (p = 90 on n = 4): s₂ would be an empty sum.
    /// </summary>
    public static long KeptCount(long n, double percentile, string score)
    {
        long k = n - (long)Math.Round(n * percentile / 100.0);
        return k >= 1 ? k : throw new InvalidOperationException($"{score}: percentile {percentile} of {n} activations keeps none");
    }

    /// <summary>
    /// The k largest activations of each row of <paramref name="z"/> [N, n] (values and indices) and each row's
    /// sharpening factor exp(s₁/s₂). A row whose kept activations sum to 0 (an all-zero z) gets factor 1 where
    /// OpenOOD's 0/0 gives NaN; every activation of such a non-negative row is 0, so no factor would change its logits.
    /// </summary>
    public static (Tensor Values, Tensor Indices, Tensor Factor) Shape(Tensor z, long k)
    {
        var (values, indices) = z.topk((int)k, dim: 1);
        var kept = values.sum(1);
        var ratio = where(kept.eq(0), zeros_like(kept), z.sum(1) / kept);
        return (values, indices, ratio.exp().unsqueeze(1));
    }
}

/// <summary>
/// The model's classifier, weight [C, D] and bias [C] copied in float64 at the fit: what ASH-S and SCALE need to take the
/// energy of a reshaped z, logsumexp(W·z + b).
/// </summary>
internal sealed class Float64Classifier : IDisposable
{
    private Tensor? weight, bias;

    public void Fit(IdTrainingFeatures id)
    {
        Dispose();
        using var scope = NewDisposeScope();
        weight = id.ClassifierWeight.to_type(ScalarType.Float64).DetachFromDisposeScope();
        bias = id.ClassifierBias.to_type(ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>logsumexp(W·z + b) of float64 <paramref name="z"/> [N, D], in the caller's scope; <paramref name="score"/> names it before a fit.</summary>
    public Tensor Energy(Tensor z, string score) => weight is null || bias is null
        ? throw new InvalidOperationException($"{score}: Compute before Fit")
        : nn.functional.linear(z, weight, bias).logsumexp(1);

    public void Dispose()
    {
        weight?.Dispose();
        bias?.Dispose();
        weight = bias = null;
    }
}
