using BenchmarkDotNet.Attributes;

namespace Repro.Benchmarks;

/// <summary>
/// One SGD step of the quickstart's L2 model (Fashion-MNIST-shaped 1×28×28, batch 128) on the CPU, at the quickstart's
/// width and the paper's. Each subclass runs it under jobs that differ in one environment setting, so the Ratio column
/// is that setting's effect.
/// </summary>
public abstract class TrainStepCase
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

/// <summary>glibc's default malloc vs Repro's raised mmap/trim thresholds (Platform/NativeAllocator.cs).</summary>
[Config(typeof(MallocJobs))]
public class TrainStepBenchmark : TrainStepCase;

/// <summary>The reproducible CPU mode vs native kernels (Platform/ReproducibleCpu.cs): what the pinning costs.</summary>
[Config(typeof(CpuModeJobs))]
public class CpuModeBenchmark : TrainStepCase;
