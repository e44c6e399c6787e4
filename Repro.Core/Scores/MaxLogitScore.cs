using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>The largest logit (Hendrycks et al. 2022).</summary>
public sealed class MaxLogitScore : IOodScore
{
    public string Name => "max_logit";
    public Tensor Compute(ModelOutput output) => output.Logits.amax(new long[] { 1 });
}
