using static TorchSharp.torch;

namespace Repro.Losses;

/// <summary>A training objective over (logits, integer targets): the mean over the batch of a per-sample loss.</summary>
public interface ITrainingLoss
{
    string Name { get; }
    /// <summary>Each row's loss, unreduced, so a stack of models can take each model's mean.</summary>
    Tensor PerSample(Tensor logits, Tensor targets);
}
