using Repro.Losses;
using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// One optimization step — forward, loss, backward, SGD update — inside its own dispose scope. The training loop
/// and the benchmarks both call this, so what is benchmarked is what trains.
/// </summary>
public sealed class TrainStep(ResNet18 model, ITrainingLoss loss, FusedSgd optimizer)
{
    /// <summary>Runs one step on a prepared batch; returns the batch's mean loss and its number of correct predictions.</summary>
    public (double Loss, long Correct) Run(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var output = model.call(x);
        var l = loss.Compute(output.Logits, y);
        optimizer.ZeroGrad();
        l.backward();
        optimizer.Step();
        // One device→host copy for both numbers: each read-back is a sync that stalls the GPU's queue.
        using var both = stack([l.detach().to_type(ScalarType.Float32), output.Logits.argmax(1).eq(y).sum().to_type(ScalarType.Float32)]).cpu();
        var values = both.data<float>();
        return (values[0], (long)values[1]);
    }
}
