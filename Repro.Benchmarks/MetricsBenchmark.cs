using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Repro.Metrics;

namespace Repro.Benchmarks;

/// <summary>
/// The detection metrics on 10^7 scores (half ID, half OoD; continuous with some ties), pinned to one core: the
/// target is AUROC and FPR95 under 2 s each (sort-based, no per-pair work).
/// </summary>
[Config(typeof(OneCore))]
public class MetricsBenchmark
{
    private sealed class OneCore : BenchmarkDotNet.Configs.ManualConfig
    {
        public OneCore() => AddJob(Job.Default.WithAffinity(1).WithWarmupCount(1).WithIterationCount(5).WithId("1 core"));
    }

    private double[] id = null!, ood = null!;

    [Params(10_000_000)]
    public int Scores { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        // Rounded to 1e-4 so about a tenth of the values tie, as float32 scores of a real model do.
        id = Enumerable.Range(0, Scores / 2).Select(_ => Math.Round(random.NextDouble() + 0.3, 4)).ToArray();
        ood = Enumerable.Range(0, Scores / 2).Select(_ => Math.Round(random.NextDouble(), 4)).ToArray();
    }

    [Benchmark(Description = "AUROC")]
    public double Auroc_() => Auroc.Compute(id, ood);

    [Benchmark(Description = "FPR95")]
    public double Fpr95() => FprAtTpr.Compute(id, ood);

    [Benchmark(Description = "all four (AUROC, FPR95, AUPR-In, AUPR-Out)")]
    public OodMetrics All() => OodMetrics.Compute(id, ood);
}
