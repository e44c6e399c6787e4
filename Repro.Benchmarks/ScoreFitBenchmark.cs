using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Repro.Model;
using Repro.Scores;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The fitted scores at Table 1's size on the CPU: fit on 50,000 ID training features of 512 dimensions (10 classes,
/// class clusters as a trained network gives them), then score 10,000 test samples — the work one CIFAR unit adds.
/// </summary>
[Config(typeof(Config))]
public class ScoreFitBenchmark
{
    private sealed class Config : ManualConfig
    {
        // A fit takes seconds: one launch, one warm-up, three measured runs of one invocation each.
        public Config() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
    }

    [Params("mahalanobis", "ddu_gmm", "knn", "vim", "react", "fdbd", "rmds", "ash_s", "scale", "nci")]
    public string Score { get; set; } = "";

    private IdTrainingFeatures train = null!;
    private ModelOutput test = null!;
    private IFittedScore fitted = null!;

    [GlobalSetup]
    public void Setup()
    {
        Repro.Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(0);
        const int n = 50_000, d = 512, classes = 10, m = 10_000;
        var centers = randn(classes, d) * 3;
        var labels = arange(n) % classes;
        var features = (centers.index_select(0, labels) + randn(n, d)).relu();
        var weight = randn(classes, d) / Math.Sqrt(d);
        var bias = zeros(classes);
        train = new IdTrainingFeatures(features, nn.functional.linear(features, weight, bias), labels, weight, bias);
        var testFeatures = (centers.index_select(0, arange(m) % classes) + 1.5 * randn(m, d)).relu();
        test = new ModelOutput(nn.functional.linear(testFeatures, weight, bias), testFeatures);
        fitted = Fresh();
        fitted.Fit(train);
    }

    private IFittedScore Fresh() => (IFittedScore)ScoreRegistry.Get(Score);

    [Benchmark(Description = "fit on 50,000 × 512")]
    public void Fit()
    {
        using var score = Fresh();
        score.Fit(train);
    }

    [Benchmark(Description = "score 10,000 × 512")]
    public void Compute()
    {
        using var scope = NewDisposeScope();
        fitted.Compute(test).cpu();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        fitted.Dispose();
        train.Dispose();
        test.Dispose();
    }
}
