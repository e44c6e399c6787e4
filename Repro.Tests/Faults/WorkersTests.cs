using System.Text.RegularExpressions;
using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>`repro run --workers N`: N processes share one run through the unit claims; every unit runs once.</summary>
[Collection(TorchCollection.Name)]
public class WorkersTests
{
    [Fact]
    public void Two_workers_split_the_units_and_each_runs_once()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "run");
        var args = ReproProcess.TinyRunArgs(dir, "0,1").Concat(["--workers", "2"]).ToArray();
        using var run = ReproProcess.Start(args);
        Assert.True(run.Wait(TimeSpan.FromMinutes(3)) == 0, run.Output);

        var workerLog = File.ReadAllText(Path.Combine(dir, ".workers", "worker-2.log"));
        int StartsIn(string log) => Regex.Count(log, @": width 8, 3 epochs");
        Assert.Equal(6, ResultsFolder.FindFinished(dir).Count);
        Assert.Equal(6, StartsIn(run.Output) + StartsIn(workerLog));
        Assert.True(StartsIn(workerLog) > 0, "the second worker ran no unit:\n" + workerLog);
        Assert.Contains("report:", run.Output);
        Assert.Contains("(6 of 6 units", run.Output);
    }
}
