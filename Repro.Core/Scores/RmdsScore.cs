using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// Relative Mahalanobis distance (Ren et al. 2021, "A Simple Fix to Mahalanobis Distance for Improving Near-OOD
/// Detection"), as OpenOOD v1.5 scores it (openood/postprocessors/rmds_postprocessor.py): the class-conditional
/// distances of <see cref="MahalanobisScore"/> (class means, one shared covariance) each made relative to a background
/// Gaussian fitted to every ID training feature regardless of class (their mean, their covariance ÷ N,
/// sklearn's EmpiricalCovariance, its pseudo-inverse); score = max over classes of −(d_c(z) − d_0(z)), that is
/// the Mahalanobis score plus d_0(z) = (z − μ₀)ᵀ P₀ (z − μ₀). Directions the whole ID set varies along count less.
/// <para>
/// Fitted on the ID training images, as OpenOOD (its train loader); float64 for both covariances and their
/// pseudo-inverses (OpenOOD float32), as <see cref="MahalanobisScore"/> and for the same reason. No hyperparameters
/// (configs/postprocessors/rmds.yml: APS_mode false).
/// </para>
/// </summary>
public sealed class RmdsScore : IFittedScore
{
    private readonly MahalanobisScore classConditional = new();
    private Tensor? backgroundMean;        // [D] float64
    private Tensor? backgroundPrecision;   // [D, D] float64

    public string Name => "rmds";

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        classConditional.Fit(id);
        using var scope = NewDisposeScope();
        var z = id.Features.to_type(ScalarType.Float64);
        var mu = z.mean(new long[] { 0 });
        var centered = z - mu;
        backgroundMean = mu.DetachFromDisposeScope();
        backgroundPrecision = linalg.pinv(centered.t().matmul(centered) / z.shape[0]).DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (backgroundMean is null || backgroundPrecision is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var diff = output.Features.to_type(ScalarType.Float64) - backgroundMean;
        var background = (diff.matmul(backgroundPrecision) * diff).sum(1);
        return (classConditional.Compute(output) + background).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        classConditional.Dispose();
        backgroundMean?.Dispose();
        backgroundPrecision?.Dispose();
        backgroundMean = backgroundPrecision = null;
    }
}
