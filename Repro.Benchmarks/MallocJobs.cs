using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Columns;
using Repro.Platform;

namespace Repro.Benchmarks;

/// <summary>Two otherwise identical jobs: glibc's default malloc (baseline) and Repro's raised mmap/trim thresholds.</summary>
public sealed class MallocJobs : ManualConfig
{
    public MallocJobs()
    {
        var job = Job.Default.WithWarmupCount(3).WithIterationCount(10);
        AddJob(job.WithEnvironmentVariables(new EnvironmentVariable(NativeAllocator.DisableVariable, "0"))
            .WithId("glibc-default").AsBaseline());
        AddJob(job.WithEnvironmentVariables(new EnvironmentVariable(NativeAllocator.DisableVariable, "1"))
            .WithId("malloc-tuned"));
        AddColumn(StatisticColumn.Median);
    }
}
