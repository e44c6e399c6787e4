using static TorchSharp.torch;

namespace Repro.Losses;

/// <summary>A training objective over (logits, integer targets), mean over the batch.</summary>
public interface ITrainingLoss
{
    string Name { get; }
    Tensor Compute(Tensor logits, Tensor targets);
}
