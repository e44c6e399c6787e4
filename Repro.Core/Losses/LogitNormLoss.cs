using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Losses;

/// <summary>
/// LogitNorm (Wei et al. 2022): cross entropy on logits / (τ·(‖logits‖₂ + 1e-7)). The 1e-7 and the default
/// τ = 0.04 (their CIFAR-10 setting) are those of the authors' official code.
/// </summary>
public sealed class LogitNormLoss : ITrainingLoss
{
    public const double DefaultTemperature = 0.04;
    private const double NormOffset = 1e-7;

    public double Temperature { get; }

    public LogitNormLoss(double temperature = DefaultTemperature)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "τ must be > 0");
        Temperature = temperature;
    }

    public string Name => "logitnorm";

    public Tensor PerSample(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        return functional.cross_entropy(Normalize(logits), targets, reduction: Reduction.None).MoveToOuterDisposeScope();
    }

    /// <summary>The logits the softmax sees in training.</summary>
    public Tensor Normalize(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var norm = linalg.vector_norm(logits, ord: 2, dims: new long[] { -1 }, keepdim: true) + NormOffset;
        return (logits / (norm * Temperature)).MoveToOuterDisposeScope();
    }
}
