using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Model;

/// <summary>When the penultimate feature z is L2-normalized before the classifier.</summary>
public enum FeatureNormMode
{
    /// <summary>Plain network: the classifier always sees raw z.</summary>
    None,
    /// <summary>The paper (its Eq. 1): z/max(‖z‖₂, ε) feeds the classifier in training only; in evaluation the
    /// classifier and every score see raw z, so ‖z‖ is free to carry familiarity.</summary>
    TrainOnly,
    /// <summary>Haas et al. 2023: normalized in training and evaluation alike.</summary>
    Always,
}

/// <summary>
/// The paper's train-time L2 normalization of the penultimate feature, z_norm = z / max(‖z‖₂, ε).
/// Identity when the mode says it is off for the module's current train/eval state.
/// </summary>
public sealed class FeatureNormalization : nn.Module<Tensor, Tensor>
{
    public FeatureNormMode Mode { get; }
    public double Epsilon { get; }

    public FeatureNormalization(FeatureNormMode mode, double epsilon = 1e-12) : base(nameof(FeatureNormalization))
    {
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be > 0");
        Mode = mode;
        Epsilon = epsilon;
    }

    /// <summary>Whether the classifier sees normalized z in the module's current state.</summary>
    public bool IsActive => Mode == FeatureNormMode.Always || (Mode == FeatureNormMode.TrainOnly && training);

    public override Tensor forward(Tensor z) => IsActive ? Normalize(z, Epsilon) : z.alias();

    /// <summary>Row-wise z / max(‖z‖₂, ε). A zero row stays zero (finite), because ε bounds the divisor.</summary>
    public static Tensor Normalize(Tensor z, double epsilon)
    {
        using var scope = NewDisposeScope();
        var norm = linalg.vector_norm(z, ord: 2, dims: new long[] { 1 }, keepdim: true);
        return (z / norm.clamp_min(epsilon)).MoveToOuterDisposeScope();
    }
}
