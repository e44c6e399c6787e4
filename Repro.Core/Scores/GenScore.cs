using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// Generalized entropy (Liu et al. 2023, CVPR, "GEN: Pushing the Limits of Softmax-Based Out-of-Distribution
/// Detection"), as OpenOOD v1.5 scores it (openood/postprocessors/gen_postprocessor.py, γ = 0.1, M = 100): over the
/// M largest softmax probabilities (all of them when C ≤ M), score = −Σ p^γ (1 − p)^γ. In float64, as MSP: in float32
/// the top probability rounds to 1 once the logit margin passes ~17, and its term, the largest of the sum, drops to 0.
/// </summary>
public sealed class GenScore(double gamma = 0.1, int m = 100) : IOodScore
{
    private readonly int m = m >= 1 ? m : throw new ArgumentOutOfRangeException(nameof(m), m, "M must be at least 1");

    public string Name => "gen";

    public Tensor Compute(ModelOutput output)
    {
        using var scope = NewDisposeScope();
        var p = nn.functional.softmax(output.Logits.to_type(ScalarType.Float64), 1);
        var top = p.topk((int)Math.Min(m, p.shape[1]), dim: 1).values;
        return (-(top.pow(gamma) * (1 - top).pow(gamma)).sum(1)).MoveToOuterDisposeScope();
    }
}
