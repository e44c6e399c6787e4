using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// DDU's feature density (Mukhoti et al. 2021, "Deep Deterministic Uncertainty"), following the authors'
/// utils/gmm_utils.py (gmm_fit, gmm_evaluate): one Gaussian per class, mean and covariance (1/(n_c − 1),
/// centered_cov_torch) of that class's ID training features in float64; score = logsumexp over classes of
/// log N(z; μ_c, Σ_c), the log density up to the constant −log C of a mixture with equal weights.
/// <para>
/// A class covariance is often singular (fewer effective dimensions than D). DDU adds jitter·I to every class
/// covariance, trying 0, the smallest normal double, then 10^e for e = −308 … −1, and keeps the first at which torch's
/// MultivariateNormal accepts every one; that acceptance is a Cholesky factorization succeeding (cholesky_ex, info = 0),
/// which is what is checked here. The densities come from the same Cholesky factor L: log det Σ = 2 Σ log L_ii and the
/// Mahalanobis term by a triangular solve, as MultivariateNormal.log_prob computes them.
/// </para>
/// </summary>
public sealed class GmmDensityScore : IFittedScore
{
    /// <summary>Elements of the [C, D, chunk] difference tensor a chunk of samples may take (128 MiB of float64).</summary>
    private const long ChunkElements = 1L << 24;

    private Tensor? means;        // [C, D] float64
    private Tensor? choleskys;    // [C, D, D] float64, lower
    private Tensor? halfLogDets;  // [C] float64: Σ log L_ii

    public string Name => "ddu_gmm";

    /// <summary>The jitter the fit settled on (DDU reports it too): 0 unless some class covariance was singular.</summary>
    public double Jitter { get; private set; } = double.NaN;

    /// <summary>DDU's JITTERS: [0, torch.finfo(torch.double).tiny] + [10 ** e for e in range(-308, 0)].</summary>
    private static IEnumerable<double> Jitters()
    {
        yield return 0;
        yield return 2.2250738585072014E-308;
        for (int e = -308; e < 0; e++) yield return double.Parse($"1E{e}", System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        var z = id.Features.to_type(ScalarType.Float64);
        var mu = ClassMeans.Of(z, id.Labels, id.Classes, Name, minimumPerClass: 2);
        // One class at a time: the [N, D, D] outer products at once would not fit (50,000 × 512² doubles).
        var covariances = stack(Enumerable.Range(0, id.Classes).Select(c =>
        {
            var x = z.index_select(0, id.Labels.eq(c).nonzero().squeeze(1)) - mu[c];
            return x.t().matmul(x) / (x.shape[0] - 1);
        }), 0);
        long d = z.shape[1];
        var eye = TorchSharp.torch.eye(d, dtype: ScalarType.Float64, device: z.device);
        foreach (var jitter in Jitters())
        {
            using var attempt = NewDisposeScope();
            var (l, info) = linalg.cholesky_ex(covariances + jitter * eye);
            if (!info.eq(0).all().item<bool>()) continue;
            Jitter = jitter;
            means = mu.DetachFromDisposeScope();
            choleskys = l.DetachFromDisposeScope();
            halfLogDets = l.diagonal(dim1: -2, dim2: -1).log().sum(-1).DetachFromDisposeScope();
            return;
        }
        throw new InvalidOperationException(
            $"{Name}: no jitter up to 0.1 makes every class covariance positive definite (non-finite features?)");
    }

    public Tensor Compute(ModelOutput output)
    {
        if (means is null || choleskys is null || halfLogDets is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var z = output.Features.to_type(ScalarType.Float64);
        long n = z.shape[0], c = means.shape[0], d = means.shape[1];
        long chunk = Math.Max(1, ChunkElements / (c * d));
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += chunk)
        {
            var x = z.narrow(0, start, Math.Min(chunk, n - start));
            var diff = (x.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2);                   // [C, D, B]
            var mahalanobis = linalg.solve_triangular(choleskys, diff, upper: false).square().sum(1);   // [C, B]
            var logDensity = -0.5 * (d * Math.Log(2 * Math.PI) + mahalanobis) - halfLogDets.unsqueeze(1);
            parts.Add(logDensity.logsumexp(0));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        means?.Dispose();
        choleskys?.Dispose();
        halfLogDets?.Dispose();
        means = choleskys = halfLogDets = null;
        Jitter = double.NaN;
    }
}
