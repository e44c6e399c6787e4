using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// Maximum softmax probability (Hendrycks &amp; Gimpel 2017); LogitNorm's evaluation score. Computed in float64: in
/// float32 the top probability rounds to exactly 1 once the logit margin passes ~17, turning confident samples into
/// ties that AUROC can no longer rank.
/// </summary>
public sealed class MspScore : IOodScore
{
    public string Name => "msp";
    public Tensor Compute(ModelOutput output)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(output.Logits.to_type(ScalarType.Float64), 1).amax(new long[] { 1 }).MoveToOuterDisposeScope();
    }
}
