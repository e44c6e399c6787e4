using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Repro.Model;

namespace Repro.Benchmarks;

/// <summary>
/// The same train step with fp32 convolutions (baseline) and bf16 ones (Model/LowPrecisionConv2d.cs), side by side
/// in one run, so the Ratio column is bf16 ÷ fp32 time. On the CPU this measures the CPU's bf16 units; the GPU
/// figure comes from `repro bench` on the GPU machine.
/// </summary>
[Config(typeof(Config))]
public class PrecisionBenchmark
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10));
    }

    private TrainStepFixture fp32 = null!, bf16 = null!;

    [Params(128)]
    public int BatchSize { get; set; }

    [Params(16, 64)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        fp32 = new TrainStepFixture(Width, BatchSize, ComputePrecision.Fp32);
        bf16 = new TrainStepFixture(Width, BatchSize, ComputePrecision.Bf16);
    }

    [Benchmark(Baseline = true, Description = "train step, fp32 convolutions")]
    public double Fp32() => fp32.Step();

    [Benchmark(Description = "train step, bf16 convolutions")]
    public double Bf16() => bf16.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        fp32.Dispose();
        bf16.Dispose();
    }
}
