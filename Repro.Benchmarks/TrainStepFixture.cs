using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>A row's model, its optimizer and one batch shaped like its data, ready for TrainStep.Run.</summary>
public sealed class TrainStepFixture : IDisposable
{
    private readonly ResNet18 model;
    private readonly optim.Optimizer optimizer;
    private readonly TrainStep step;
    private readonly Tensor x, y;

    /// <summary>The quickstart's L2 model on Fashion-MNIST-shaped batches.</summary>
    public TrainStepFixture(int width, int batchSize, ComputePrecision precision = ComputePrecision.Fp32)
        : this(Presets.Quick.Rows[0] with { BatchSize = batchSize, Width = width, Precision = precision }, DataCatalog.FashionMnist) { }

    public TrainStepFixture(RunConfig config, DatasetInfo data)
    {
        Repro.Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(0);
        model = Trainer.CreateModel(config, data);
        optimizer = Trainer.CreateOptimizer(config, model);
        step = new TrainStep(model, Trainer.CreateLoss(config), optimizer);
        model.train();
        x = randn(config.BatchSize, data.Channels, data.Side, data.Side);
        y = randint(0, data.NumClasses, [config.BatchSize]);
    }

    public double Step() => step.Run(x, y).Loss;

    public void Dispose()
    {
        x.Dispose(); y.Dispose(); optimizer.Dispose(); model.Dispose();
    }
}
