using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Losses;

public sealed class CrossEntropyLoss : ITrainingLoss
{
    public string Name => "cross-entropy";
    public Tensor PerSample(Tensor logits, Tensor targets) => functional.cross_entropy(logits, targets, reduction: Reduction.None);
}
