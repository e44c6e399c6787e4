using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// fDBD (Liu &amp; Qin 2024, ICML, "Fast Decision Boundary based Out-of-Distribution Detector"), as OpenOOD v1.5 scores
/// it (openood/postprocessors/fdbd_postprocessor.py): with ĉ the predicted class, the sum over every class c of the
/// feature's distance to the ĉ–c decision boundary, |f_ĉ − f_c| / ‖w_ĉ − w_c‖ (0 for c = ĉ), divided by ‖z − μ‖, μ the
/// mean ID training feature; or by ‖z‖ without the mean (<c>distanceAsNormalizer: false</c>). The paper averages over
/// the C − 1 other classes; OpenOOD sums, the same ranking.
/// <para>
/// distanceAsNormalizer: OpenOOD picks it on held-out OoD data (APS_mode: true); the default is its config's, True, and
/// <see cref="SearchSpace"/> its sweep (configs/postprocessors/fdbd.yml: distance_as_normalizer_list [True, False]).
/// μ from the ID training images, as OpenOOD (its train loader). float64 throughout (OpenOOD divides float32 logit gaps
/// by float64 norms). The normalizer is floored at 1e-10 so a feature exactly at μ (or a zero z) scores large rather
/// than NaN.
/// </para>
/// </summary>
public sealed class FdbdScore(bool distanceAsNormalizer = true) : IFittedScore, ITunableScore
{
    private Tensor? mean;           // [D] float64
    private Tensor? denominators;   // [C, C] float64: row p holds ‖w_p − w_c‖, with 1 at c = p

    public string Name => "fdbd";

    /// <summary>OpenOOD's sweep over the normalizer (configs/postprocessors/fdbd.yml).</summary>
    public static IReadOnlyList<bool> SearchSpace { get; } = [true, false];

    public string Setting => $"distanceAsNormalizer={distanceAsNormalizer.ToString().ToLowerInvariant()}";
    public IReadOnlyList<ITunableScore> Sweep() => SearchSpace.Select(v => (ITunableScore)new FdbdScore(v)).ToList();

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        var w = id.ClassifierWeight.to_type(ScalarType.Float64);
        var gaps = linalg.vector_norm(w.unsqueeze(1) - w.unsqueeze(0), ord: 2, dims: new long[] { 2 });
        denominators = (gaps + eye(w.shape[0], dtype: ScalarType.Float64, device: w.device)).DetachFromDisposeScope();
        mean = id.Features.to_type(ScalarType.Float64).mean(new long[] { 0 }).DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (mean is null || denominators is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var logits = output.Logits.to_type(ScalarType.Float64);
        var predicted = logits.argmax(1);
        var distances = (logits.amax(new long[] { 1 }, keepdim: true) - logits).abs() / denominators.index_select(0, predicted);
        var z = output.Features.to_type(ScalarType.Float64);
        var normalizer = linalg.vector_norm(distanceAsNormalizer ? z - mean : z, ord: 2, dims: new long[] { 1 });
        return (distances.sum(1) / normalizer.clamp_min(1e-10)).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        mean?.Dispose();
        denominators?.Dispose();
        mean = denominators = null;
    }
}
