using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>The paper's score: the L2 norm of the raw penultimate feature, ‖z‖₂. Familiar inputs → large norms.</summary>
public sealed class FeatureNormScore : IOodScore
{
    public const string ScoreName = "feature_norm";
    public string Name => ScoreName;
    public Tensor Compute(ModelOutput output) => linalg.vector_norm(output.Features, ord: 2, dims: new long[] { 1 });
}
