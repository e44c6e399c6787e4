using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// NCI (Liu &amp; Qin 2025, CVPR, "Detecting Out-of-distribution through the Lens of Neural Collapse"), as OpenOOD v1.5
/// scores it (openood/postprocessors/nci_postprocessor.py): with ĉ the predicted class and μ the mean ID training
/// feature, score = w_ĉ·(z − μ) / ‖z − μ‖ + α·‖z‖₁: how closely the centered feature points along the predicted class's
/// classifier row (the row unnormalized, as OpenOOD has it: ‖w_ĉ‖·cos θ), plus a small L1 norm term.
/// <para>
/// α: OpenOOD picks it on held-out OoD data (APS_mode: true); the default is its config's, 0.0001, and
/// <see cref="SearchSpace"/> its sweep (configs/postprocessors/nci.yml). μ from the ID training images, as OpenOOD (its
/// train loader). float64 (OpenOOD float32). ‖z − μ‖ is floored at 1e-10 so a feature exactly at μ scores its L1 term
/// rather than NaN.
/// </para>
/// </summary>
public sealed class NciScore(double alpha = 1e-4) : IFittedScore, ITunableScore
{
    private Tensor? mean;     // [D] float64
    private Tensor? weight;   // [C, D] float64

    public string Name => "nci";

    /// <summary>OpenOOD's sweep over α (configs/postprocessors/nci.yml).</summary>
    public static IReadOnlyList<double> SearchSpace { get; } = [1e-4, 1e-3, 1e-2, 1e-1];

    public string Setting => FormattableString.Invariant($"alpha={alpha}");
    public IReadOnlyList<ITunableScore> Sweep() => SearchSpace.Select(a => (ITunableScore)new NciScore(a)).ToList();

    public void Fit(IdTrainingFeatures id)
    {
        Release();
        using var scope = NewDisposeScope();
        mean = id.Features.to_type(ScalarType.Float64).mean(new long[] { 0 }).DetachFromDisposeScope();
        weight = id.ClassifierWeight.to_type(ScalarType.Float64).DetachFromDisposeScope();
    }

    public Tensor Compute(ModelOutput output)
    {
        if (mean is null || weight is null) throw new InvalidOperationException($"{Name}: Compute before Fit");
        using var scope = NewDisposeScope();
        var z = output.Features.to_type(ScalarType.Float64);
        var centered = z - mean;
        var row = weight.index_select(0, output.Logits.argmax(1));
        var proximity = (row * centered).sum(1) / linalg.vector_norm(centered, ord: 2, dims: new long[] { 1 }).clamp_min(1e-10);
        return (proximity + alpha * linalg.vector_norm(z, ord: 1, dims: new long[] { 1 })).MoveToOuterDisposeScope();
    }

    public void Dispose() => Release();

    private void Release()
    {
        mean?.Dispose();
        weight?.Dispose();
        mean = weight = null;
    }
}
