using BenchmarkDotNet.Attributes;

namespace Repro.Benchmarks;

/// <summary>
/// One SGD step of the quickstart's L2 model (Fashion-MNIST-shaped 1×28×28, batch 128) on the CPU, at the
/// quickstart's width and the paper's. Run
/// under two jobs that differ only in glibc malloc tuning (see NativeAllocator), so the ratio column is the speed-up.
/// </summary>
[Config(typeof(MallocJobs))]
public class TrainStepBenchmark
{
    private TrainStepFixture fixture = null!;

    [Params(128)]
    public int BatchSize { get; set; }

    /// <summary>16 = the quickstart's model; 64 = the paper's ResNet18 width.</summary>
    [Params(16, 64)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup() => fixture = new TrainStepFixture(Width, BatchSize);

    [Benchmark(Description = "train step (L2 model)")]
    public double Step() => fixture.Step();

    [GlobalCleanup]
    public void Cleanup() => fixture.Dispose();
}
