using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// ASH-S (Djurisic et al. 2023, ICLR, "Extremely Simple Activation Shaping for Out-of-Distribution Detection"), with
/// OpenOOD v1.5's ash_s (openood/networks/ash_net.py) and its ASH scoring (openood/postprocessors/ash_postprocessor.py):
/// of z's D activations keep the k = D − round(D·p/100) largest, zero the rest, and multiply the kept ones by
/// exp(s₁/s₂) (s₁ the sum of all D, s₂ of the kept); score = energy of the model's classifier on the result,
/// logsumexp(W·h + b). The classifier's weight and bias come from <see cref="IdTrainingFeatures"/>, as ReAct's;
/// nothing else is fitted.
/// <para>
/// Where it applies: OpenOOD's ASHNet.forward_threshold shapes the pooled penultimate feature of its CIFAR
/// ResNet18_32x32 (the 512 activations after global average pooling, viewed as [N, 512, 1, 1]), the tensor the ASH
/// authors' own code shapes for its ResNets and DenseNet (after the average pool), and the z we have: no difference
/// there. But that method calls ash_b, not ash_s: OpenOOD's "ash" row is ASH-B (the kept activations all set to
/// s₁/k), and ash_s is defined beside it but never called. This is ASH-S, the variant the paper recommends, with
/// OpenOOD's ash_s arithmetic and its ASH configuration.
/// </para>
/// <para>
/// p: OpenOOD picks it on held-out OoD data (APS_mode: true); the default is its config's, 90, and
/// <see cref="SearchSpace"/> its sweep (configs/postprocessors/ash.yml). float64 (OpenOOD float32): exp(s₁/s₂) runs
/// to the hundreds, and so do the sharpened logits whose differences the energy keeps.
/// </para>
/// </summary>
public sealed class AshSScore(double percentile = 90) : IFittedScore, ITunableScore
{
    private readonly double percentile = percentile is >= 0 and < 100
        ? percentile : throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a pruning percentile is within [0, 100)");

    private readonly Float64Classifier classifier = new();

    public string Name => "ash_s";

    /// <summary>OpenOOD's sweep over the percentile (configs/postprocessors/ash.yml).</summary>
    public static IReadOnlyList<double> SearchSpace { get; } = [65, 70, 75, 80, 85, 90, 95];

    public string Setting => FormattableString.Invariant($"percentile={percentile}");
    public IReadOnlyList<ITunableScore> Sweep() => SearchSpace.Select(p => (ITunableScore)new AshSScore(p)).ToList();

    public void Fit(IdTrainingFeatures id) => classifier.Fit(id);

    public Tensor Compute(ModelOutput output)
    {
        using var scope = NewDisposeScope();
        var z = output.Features.to_type(ScalarType.Float64);
        var (values, indices, factor) = ActivationShaping.Shape(z, ActivationShaping.KeptCount(z.shape[1], percentile, Name));
        var shaped = zeros_like(z).scatter(1, indices, values) * factor;
        return classifier.Energy(shaped, Name).MoveToOuterDisposeScope();
    }

    public void Dispose() => classifier.Dispose();
}
