using Repro.Losses;
using Repro.Model;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// One optimization step — forward, loss, backward, SGD update — inside its own dispose scope, for one model or a stack
/// of K. The training loop and the benchmarks both call this, so what is benchmarked is what trains.
/// </summary>
public sealed class TrainStep(ResNet18 model, ITrainingLoss loss, FusedSgd optimizer)
{
    /// <summary>
    /// Runs one step on a prepared batch: x [N, K·C, H, W] (model k's images in channel block k) and y [N, K] (or [N]
    /// for one model). Returns each model's mean loss and number of correct predictions.
    /// </summary>
    public (double[] Loss, long[] Correct) Run(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var output = model.call(x);
        int k = model.Spec.Stack;
        long n = y.shape[0];
        var logits = output.Logits.view(n * k, -1);
        var targets = y.reshape(n * k);
        var perModel = loss.PerSample(logits, targets).view(n, k).mean([0]);
        optimizer.ZeroGrad();
        // The sum's gradient in each model's parameters is that model's own mean loss's: the models share nothing.
        perModel.sum().backward();
        optimizer.Step();
        var correct = logits.argmax(1).eq(targets).view(n, k).sum([0]);
        // One device→host copy for all numbers: each read-back is a sync that stalls the GPU's queue.
        using var all = cat([perModel.detach().to_type(ScalarType.Float32), correct.to_type(ScalarType.Float32)]).cpu();
        var values = all.data<float>().ToArray();
        return (values[..k].Select(v => (double)v).ToArray(), values[k..].Select(v => (long)v).ToArray());
    }
}
