using BenchmarkDotNet.Attributes;
using Repro.Data;
using Repro.Experiments;
using Repro.Model;

namespace Repro.Benchmarks;

/// <summary>
/// One SGD step of Table 1's L2 60 network — DDU's resnet18 with -sn -mod: spectral normalization, leaky ReLU, average-
/// pooling shortcuts — against the same network with 1×1-convolution + BatchNorm shortcuts (what definition version 1
/// built), on CIFAR-10-shaped batches of 128 at width 64, on the CPU. Ratio = conv / avgpool step time.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 12)]
[MedianColumn]
public class ShortcutBenchmark
{
    private TrainStepFixture avgpool = null!, conv = null!;

    [GlobalSetup]
    public void Setup()
    {
        var table1 = ExperimentDefinition.Load(Path.Combine(DataPaths.RepositoryRoot()!, "experiments", "table1.json"));
        var l2 = table1.ConfigFor(table1.Row("l2-60")) with { BatchSize = 128, Device = "cpu" };
        avgpool = new TrainStepFixture(l2 with { Shortcut = ShortcutKind.Avgpool }, DataCatalog.Cifar10);
        conv = new TrainStepFixture(l2 with { Shortcut = ShortcutKind.Conv }, DataCatalog.Cifar10);
    }

    [Benchmark(Baseline = true, Description = "avgpool shortcuts (DDU -mod)")]
    public double Avgpool() => avgpool.Step();

    [Benchmark(Description = "1x1 conv + BN shortcuts")]
    public double Conv() => conv.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        avgpool.Dispose();
        conv.Dispose();
    }
}
