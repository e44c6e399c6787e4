using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>
/// The in-distribution images a model trained on, as it sees them at test time (evaluation mode, no augmentation,
/// one pass per unit shared by every fitted score; Training/Evaluator.IdTraining): penultimate features z [N, D]
/// (raw, never normalized), logits [N, C] and labels [N] on the run's device, with the classifier's weight [C, D] and
/// bias [C] (what ViM and ReAct need besides the features).
/// </summary>
public sealed class IdTrainingFeatures(Tensor features, Tensor logits, Tensor labels, Tensor classifierWeight, Tensor classifierBias)
    : IDisposable
{
    public Tensor Features { get; } = features;
    public Tensor Logits { get; } = logits;
    public Tensor Labels { get; } = labels;
    public Tensor ClassifierWeight { get; } = classifierWeight;
    public Tensor ClassifierBias { get; } = classifierBias;
    public int Classes => (int)Logits.shape[1];

    public void Dispose()
    {
        Features.Dispose();
        Logits.Dispose();
        Labels.Dispose();
        ClassifierWeight.Dispose();
        ClassifierBias.Dispose();
    }
}
