using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// Mahalanobis distance to the closest class (Lee et al. 2018, NeurIPS), as OpenOOD v1.5 scores it
/// (openood/postprocessors/mds_postprocessor.py): class means of the ID training features, one covariance shared by
/// every class (the class-centered features' empirical covariance, divided by N as sklearn's EmpiricalCovariance does),
/// its pseudo-inverse as precision; score = max over classes of −(z − μ_c)ᵀ P (z − μ_c). Penultimate layer only, no
/// input preprocessing and no layer ensemble (OpenOOD v1.5's setting, not the paper's full method). Fit and scoring in
/// float64 (OpenOOD uses float32): the precision of a near-singular covariance is where float32 loses digits.
/// </summary>
public sealed class MahalanobisScore : IFittedScore
{
    private Tensor? means;       // [C, D] float64
    private Tensor? precision;   // [D, D] float64

    public string Name => "mahalanobis";

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        var z = id.Features.to_type(ScalarType.Float64);
        var mu = ClassMeans.Of(z, id.Labels, id.Classes, Name, minimumPerClass: 1);
        var centered = z - mu.index_select(0, id.Labels);
        var covariance = centered.t().matmul(centered) / z.shape[0];
        means = mu.DetachFromDisposeScope();
        precision = linalg.pinv(covariance).DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (means is null || precision is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var z = output.Features.to_type(ScalarType.Float64);
        // One class at a time keeps memory at one [N, D] difference, as OpenOOD's loop over classes does.
        var perClass = new Tensor[means.shape[0]];
        for (int c = 0; c < perClass.Length; c++)
        {
            var diff = z - means[c];
            perClass[c] = -(diff.matmul(precision) * diff).sum(1);
        }
        return stack(perClass, 1).amax(new long[] { 1 }).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        means?.Dispose();
        precision?.Dispose();
        means = precision = null;
    }
}
