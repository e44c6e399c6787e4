using BenchmarkDotNet.Attributes;
using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// One SGD step of the quickstart's L2 model (Fashion-MNIST-shaped 1×28×28, batch 128) on the CPU, at the
/// quickstart's width and the paper's. Run
/// under two jobs that differ only in glibc malloc tuning (see NativeAllocator), so the ratio column is the speed-up.
/// </summary>
[Config(typeof(MallocJobs))]
public class TrainStepBenchmark
{
    private ResNet18 model = null!;
    private optim.Optimizer optimizer = null!;
    private TrainStep step = null!;
    private Tensor x = null!, y = null!;

    [Params(128)]
    public int BatchSize { get; set; }

    /// <summary>16 = the quickstart's model; 64 = the paper's ResNet18 width.</summary>
    [Params(16, 64)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = Presets.Quick.Rows[0] with { BatchSize = BatchSize, Width = Width };
        random.manual_seed(0);
        model = Trainer.CreateModel(config, DataCatalog.FashionMnist);
        optimizer = Trainer.CreateOptimizer(config, model);
        step = new TrainStep(model, Trainer.CreateLoss(config), optimizer);
        model.train();
        x = randn(BatchSize, 1, 28, 28);
        y = randint(0, 10, [BatchSize]);
    }

    [Benchmark(Description = "train step (L2 model)")]
    public double Step() => step.Run(x, y).Loss;

    [GlobalCleanup]
    public void Cleanup()
    {
        x.Dispose(); y.Dispose(); optimizer.Dispose(); model.Dispose();
    }
}
