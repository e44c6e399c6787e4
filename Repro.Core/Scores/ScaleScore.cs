using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// SCALE (Xu et al. 2024, ICLR, "Scaling for Training Time and Post-hoc Out-of-distribution Detection Enhancement"),
/// as OpenOOD v1.5 scores it (openood/postprocessors/scale_postprocessor.py with openood/networks/scale_net.py): ASH-S's
/// sharpening without its pruning. Of z's D activations the k = D − round(D·p/100) largest give s₂, all D give s₁, and
/// every activation is multiplied by exp(s₁/s₂); score = energy of the model's classifier on the result,
/// logsumexp(exp(s₁/s₂)·W·z + b). OpenOOD applies it to the pooled penultimate feature of its CIFAR ResNet18_32x32
/// (ScaleNet.forward_threshold), our z. The classifier's weight and bias come from <see cref="IdTrainingFeatures"/>,
/// as ReAct's; nothing else is fitted.
/// <para>
/// p: OpenOOD picks it on held-out OoD data (APS_mode: true); the default is its config's, 85, and
/// <see cref="SearchSpace"/> its sweep (configs/postprocessors/scale.yml). float64 (OpenOOD float32), as ASH-S.
/// </para>
/// </summary>
public sealed class ScaleScore(double percentile = 85) : IFittedScore, ITunableScore
{
    private readonly double percentile = percentile is >= 0 and < 100
        ? percentile : throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile is within [0, 100)");

    private readonly Float64Classifier classifier = new();

    public string Name => "scale";

    /// <summary>OpenOOD's sweep over the percentile (configs/postprocessors/scale.yml).</summary>
    public static IReadOnlyList<double> SearchSpace { get; } = [65, 70, 75, 80, 85, 90, 95];

    public string Setting => FormattableString.Invariant($"percentile={percentile}");
    public IReadOnlyList<ITunableScore> Sweep() => SearchSpace.Select(p => (ITunableScore)new ScaleScore(p)).ToList();

    public void Fit(IdTrainingFeatures id) => classifier.Fit(id);

    public Tensor Compute(ModelOutput output)
    {
        using var scope = NewDisposeScope();
        var z = output.Features.to_type(ScalarType.Float64);
        var (_, _, factor) = ActivationShaping.Shape(z, ActivationShaping.KeptCount(z.shape[1], percentile, Name));
        return classifier.Energy(z * factor, Name).MoveToOuterDisposeScope();
    }

    public void Dispose() => classifier.Dispose();
}
