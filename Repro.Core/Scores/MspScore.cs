using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>Maximum softmax probability (Hendrycks &amp; Gimpel 2017); LogitNorm's evaluation score.</summary>
public sealed class MspScore : IOodScore
{
    public string Name => "msp";
    public Tensor Compute(ModelOutput output)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(output.Logits, 1).amax(new long[] { 1 }).MoveToOuterDisposeScope();
    }
}
