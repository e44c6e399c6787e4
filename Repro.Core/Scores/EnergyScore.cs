using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>Negative free energy at T = 1, logsumexp(logits) (Liu et al. 2020): higher = more in-distribution.</summary>
public sealed class EnergyScore : IOodScore
{
    public string Name => "energy";
    public Tensor Compute(ModelOutput output) => output.Logits.logsumexp(1);
}
