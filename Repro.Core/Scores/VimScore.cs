using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// Virtual-logit matching (Wang et al. 2022, CVPR, "ViM: Out-Of-Distribution with Virtual-logit Matching"), as
/// OpenOOD v1.5 scores it (openood/postprocessors/vim_postprocessor.py): origin u = −pinv(W)·b, the classifier's
/// zero-logit point; the residual space NS spanned by the eigenvectors of the ID training features' covariance about u
/// (taken as centered, XᵀX/N: EmpiricalCovariance(assume_centered=True)) beyond the top <c>dim</c> eigenvalues;
/// alpha = mean max logit ÷ mean ‖(z − u)·NS‖ over the ID training set; score = logsumexp(logits) − alpha·‖(z − u)·NS‖.
/// <para>
/// dim: OpenOOD's CIFAR configuration uses 256 with ResNet18's 512 features, kept for D ≥ 512; below that (the
/// quickstart's width-8 networks have D = 64) the same half of the dimensions, D/2. Everything in float64 (OpenOOD
/// uses numpy's float64 for the fit too): pinv and the eigendecomposition of a near-singular covariance need it.
/// </para>
/// </summary>
public sealed class VimScore : IFittedScore
{
    private Tensor? origin;     // [D] float64
    private Tensor? residual;   // [D, D − dim] float64
    private double alpha;

    public string Name => "vim";

    /// <summary>The principal dimensions the fit kept (what is not residual).</summary>
    public static long PrincipalDimensions(long featureDimension) => featureDimension >= 512 ? 256 : featureDimension / 2;

    /// <summary>The fitted scale of the virtual logit.</summary>
    public double Alpha => origin is null ? throw new InvalidOperationException($"{Name}: not fitted") : alpha;

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        var w = id.ClassifierWeight.to_type(ScalarType.Float64);
        var b = id.ClassifierBias.to_type(ScalarType.Float64);
        var u = -linalg.pinv(w).matmul(b);
        var x = id.Features.to_type(ScalarType.Float64) - u;
        var covariance = x.t().matmul(x) / x.shape[0];
        var (eigenvalues, eigenvectors) = linalg.eigh(covariance);
        var descending = eigenvalues.argsort(descending: true);
        long dim = PrincipalDimensions(x.shape[1]);
        var ns = eigenvectors.index_select(1, descending.narrow(0, dim, x.shape[1] - dim));
        var virtualLogit = linalg.vector_norm(x.matmul(ns), ord: 2, dims: new long[] { 1 });
        alpha = id.Logits.to_type(ScalarType.Float64).amax(new long[] { 1 }).mean().item<double>() / virtualLogit.mean().item<double>();
        origin = u.DetachFromDisposeScope();
        residual = ns.DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (origin is null || residual is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var x = output.Features.to_type(ScalarType.Float64) - origin;
        var virtualLogit = linalg.vector_norm(x.matmul(residual), ord: 2, dims: new long[] { 1 });
        return (output.Logits.to_type(ScalarType.Float64).logsumexp(1) - alpha * virtualLogit).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        origin?.Dispose();
        residual?.Dispose();
        origin = residual = null;
    }
}
