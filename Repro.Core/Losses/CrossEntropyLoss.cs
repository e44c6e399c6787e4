using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Losses;

public sealed class CrossEntropyLoss : ITrainingLoss
{
    public string Name => "cross-entropy";
    public Tensor Compute(Tensor logits, Tensor targets) => functional.cross_entropy(logits, targets);
}
