using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Scores;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// What an epoch spends besides the train step, on the CPU: the batch pipeline (crop + flip + normalize on the
/// training device, CIFAR-shaped uint8 batches) and evaluation (every score of 10,000 Fashion-MNIST-shaped images
/// through the quickstart's model) at the CPU default batch 256 and at 1024.
/// </summary>
[Config(typeof(Config))]
public class PipelineBenchmark
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8));
    }

    private Tensor cifarBatch128 = null!, cifarBatch1024 = null!;
    private Generator generator = null!;
    private ResNet18 model = null!;
    private ImageSet images = null!;

    [GlobalSetup]
    public void Setup()
    {
        Repro.Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(0);
        cifarBatch128 = randint(0, 256, [128, 3, 32, 32]).to_type(ScalarType.Byte);
        cifarBatch1024 = randint(0, 256, [1024, 3, 32, 32]).to_type(ScalarType.Byte);
        generator = new Generator(0);
        model = new ResNet18(TrainStepFixture.QuickL2.ModelSpecFor(DataCatalog.FashionMnist));
        var rng = new Random(0);
        var pixels = new byte[10_000 * 28 * 28];
        rng.NextBytes(pixels);
        images = new ImageSet("synthetic", pixels, Enumerable.Range(0, 10_000).Select(i => (long)(i % 10)).ToArray(), 1, 28, 28, 10);
    }

    private Tensor Pipeline(Tensor batch)
    {
        using var scope = NewDisposeScope();
        return Augmentation.Normalize(Augmentation.CropAndFlip(batch, 4, generator), DataCatalog.Info("cifar10")).MoveToOuterDisposeScope();
    }

    [Benchmark(Description = "crop+flip+normalize, 128×3×32×32")]
    public void Augment128() => Pipeline(cifarBatch128).Dispose();

    [Benchmark(Description = "crop+flip+normalize, 1024×3×32×32")]
    public void Augment1024() => Pipeline(cifarBatch1024).Dispose();

    // The scores without a fit step: the fitted ones' cost is recorded per unit (metrics.json's scoreCost).
    private readonly IReadOnlyList<IOodScore> unfittedScores = ScoreRegistry.Create().Where(s => s is not IFittedScore).ToList();

    [Benchmark(Description = "evaluate 10,000 images (width 16), batch 256")]
    public SampleScores Evaluate256() => Evaluator.Score(model, images, DataCatalog.FashionMnist, CPU, 256, unfittedScores);

    [Benchmark(Description = "evaluate 10,000 images (width 16), batch 1024")]
    public SampleScores Evaluate1024() => Evaluator.Score(model, images, DataCatalog.FashionMnist, CPU, 1024, unfittedScores);

    [GlobalCleanup]
    public void Cleanup()
    {
        cifarBatch128.Dispose(); cifarBatch1024.Dispose(); generator.Dispose(); model.Dispose();
    }
}
