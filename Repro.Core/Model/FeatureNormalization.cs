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
/// The paper's train-time L2 normalization of the penultimate feature, z / (max(‖z‖₂, ε) · τ), τ = 1 being the paper's
/// Eq. 1 and τ = 0.1 T2FNorm (Regmi et al. 2023). What the classifier sees in evaluation follows OpenOOD's
/// T2FNorm network (openood/networks/t2fnorm_net.py): raw z divided by τ, so its MSP is T2FNorm's own score; for τ = 1
/// that is raw z itself. The feature norm score reads z before this module and never sees τ.
/// </summary>
public sealed class FeatureNormalization : nn.Module<Tensor, Tensor>
{
    /// <summary>ε of z/max(‖z‖, ε): the paper leaves it unnamed; 1e-12 is PyTorch's F.normalize default.</summary>
    public const double DefaultEpsilon = 1e-12;
    /// <summary>τ = 1 is the paper's method (τ = 0.1 T2FNorm's).</summary>
    public const double DefaultTemperature = 1.0;

    public FeatureNormMode Mode { get; }
    public double Epsilon { get; }
    public double Temperature { get; }

    public FeatureNormalization(FeatureNormMode mode, double epsilon = DefaultEpsilon, double temperature = DefaultTemperature) : base(nameof(FeatureNormalization))
    {
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be > 0");
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "τ must be a finite value > 0");
        if (mode == FeatureNormMode.None && temperature != 1.0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "τ applies only with a feature normalization");
        Mode = mode;
        Epsilon = epsilon;
        Temperature = temperature;
    }

    /// <summary>Whether the classifier sees normalized z in the module's current state.</summary>
    public bool IsActive => Mode == FeatureNormMode.Always || (Mode == FeatureNormMode.TrainOnly && training);

    public override Tensor forward(Tensor z) =>
        IsActive ? Normalize(z, Epsilon, Temperature)
        : Temperature == 1.0 ? z.alias()
        : z / Temperature;

    /// <summary>Row-wise z / (max(‖z‖₂, ε) · τ). A zero row stays zero (finite), because ε bounds the divisor.</summary>
    public static Tensor Normalize(Tensor z, double epsilon, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var norm = linalg.vector_norm(z, ord: 2, dims: new long[] { 1 }, keepdim: true);
        return (z / (norm.clamp_min(epsilon) * temperature)).MoveToOuterDisposeScope();
    }
}
