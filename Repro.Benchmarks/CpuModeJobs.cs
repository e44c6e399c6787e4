using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Repro.Platform;

namespace Repro.Benchmarks;

/// <summary>
/// The reproducible CPU mode (baseline), native kernels (REPRO_CPU=native), and the same pins with MKL on its
/// vendor-neutral COMPATIBLE branch — the price of MKL reproducibility across Intel and AMD as well. All at
/// the default two threads.
/// </summary>
public sealed class CpuModeJobs : ManualConfig
{
    public CpuModeJobs()
    {
        var job = Job.Default.WithWarmupCount(3).WithIterationCount(10);
        EnvironmentVariable Threads() => new(ReproducibleCpu.ThreadsVariable, ReproducibleCpu.DefaultThreads.ToString());
        AddJob(job.WithEnvironmentVariables(Threads()).WithId("reproducible").AsBaseline());
        AddJob(job.WithEnvironmentVariables(Threads(), new EnvironmentVariable(ReproducibleCpu.ModeVariable, "native")).WithId("native"));
        AddJob(job.WithEnvironmentVariables([Threads(), new EnvironmentVariable(ReproducibleCpu.ModeVariable, "native"),
            .. ReproducibleCpu.Pins.Select(p => new EnvironmentVariable(p.Variable, p.Variable == "MKL_CBWR" ? "COMPATIBLE" : p.Value))])
            .WithId("mkl-compatible"));
        AddColumn(StatisticColumn.Median);
    }
}
