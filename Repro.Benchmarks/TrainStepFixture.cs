using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>A row's model, its optimizer and one batch shaped like its data, ready for TrainStep.Run (on the CPU).</summary>
public sealed class TrainStepFixture : IDisposable
{
    private readonly StepFixture fixture;
    private readonly Tensor x, y;

    /// <summary>The quickstart's L2 model on Fashion-MNIST-shaped batches.</summary>
    public TrainStepFixture(int width, int batchSize, ComputePrecision precision = ComputePrecision.Fp32)
        : this(QuickL2 with { BatchSize = batchSize, Width = width, Precision = precision }, DataCatalog.FashionMnist) { }

    /// <summary>The quickstart's L2 row (experiments/quick.json).</summary>
    public static RunConfig QuickL2
    {
        get
        {
            var quick = ExperimentDefinition.LoadNamed("quick");
            return quick.ConfigFor(quick.Row("l2"));
        }
    }

    /// <param name="stack">K seeds as one stacked model, each with its own batch.</param>
    public TrainStepFixture(RunConfig config, DatasetInfo data, int stack = 1)
    {
        fixture = new StepFixture(config with { Seed = 0 }, data, CPU, stack);
        x = randn(config.BatchSize, stack * data.Channels, data.Side, data.Side);
        y = randint(0, data.NumClasses, [config.BatchSize, stack]);
    }

    public ResNet18 Model => fixture.Model;

    public double Step() => fixture.Step.Run(x, y).Loss[0];

    public void Dispose()
    {
        x.Dispose(); y.Dispose(); fixture.Dispose();
    }
}
