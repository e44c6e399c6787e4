using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// ReAct (Sun et al. 2021, NeurIPS, "ReAct: Out-of-distribution Detection With Rectified Activations"), as OpenOOD
/// v1.5 scores it (openood/postprocessors/react_postprocessor.py, percentile 90): threshold = the 90th percentile of
/// every ID feature activation (np.percentile on the flattened activations, linear interpolation); score = energy of the
/// rectified features, logsumexp(W·min(z, threshold) + b), with the model's own classifier. OpenOOD takes the
/// percentile over its ID validation split; here over the ID training images, the one ID set every fitted score sees.
/// <para>
/// The percentile is read off a sort rather than torch.quantile, which refuses inputs above 2^24 elements
/// (50,000 × 512 activations are 25.6 M).
/// </para>
/// </summary>
public sealed class ReactScore(double percentile = 90) : IFittedScore
{
    private readonly double percentile = percentile is >= 0 and <= 100
        ? percentile : throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile is within [0, 100]");

    private Tensor? weight;   // [C, D]
    private Tensor? bias;     // [C]
    private double threshold = double.NaN;

    public string Name => "react";

    /// <summary>The fitted clipping threshold.</summary>
    public double Threshold => weight is null ? throw new InvalidOperationException($"{Name}: not fitted") : threshold;

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        var sorted = id.Features.flatten().sort().Values;
        // numpy's default ('linear'): position p/100·(n − 1), interpolated between its two neighbours.
        double position = percentile / 100 * (sorted.shape[0] - 1);
        long below = (long)Math.Floor(position), above = Math.Min(below + 1, sorted.shape[0] - 1);
        double low = sorted[below].to_type(ScalarType.Float64).item<double>(), high = sorted[above].to_type(ScalarType.Float64).item<double>();
        threshold = low + (high - low) * (position - below);
        weight = id.ClassifierWeight.detach().clone().DetachFromDisposeScope();
        bias = id.ClassifierBias.detach().clone().DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (weight is null || bias is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var clipped = output.Features.clamp_max(threshold);
        return nn.functional.linear(clipped, weight, bias).logsumexp(1).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        weight?.Dispose();
        bias?.Dispose();
        weight = bias = null;
    }
}
