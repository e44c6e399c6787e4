using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>The quickstart's L2 model, its optimizer and one Fashion-MNIST-shaped batch, ready for TrainStep.Run.</summary>
public sealed class TrainStepFixture : IDisposable
{
    private readonly ResNet18 model;
    private readonly optim.Optimizer optimizer;
    private readonly TrainStep step;
    private readonly Tensor x, y;

    public TrainStepFixture(int width, int batchSize, ComputePrecision precision = ComputePrecision.Fp32)
    {
        var config = Presets.Quick.Rows[0] with { BatchSize = batchSize, Width = width, Precision = precision };
        Repro.Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(0);
        model = Trainer.CreateModel(config, DataCatalog.FashionMnist);
        optimizer = Trainer.CreateOptimizer(config, model);
        step = new TrainStep(model, Trainer.CreateLoss(config), optimizer);
        model.train();
        x = randn(batchSize, 1, 28, 28);
        y = randint(0, 10, [batchSize]);
    }

    public double Step() => step.Run(x, y).Loss;

    public void Dispose()
    {
        x.Dispose(); y.Dispose(); optimizer.Dispose(); model.Dispose();
    }
}
