using System.Xml.Linq;
using Repro.Data;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// scripts/gpu-accept.sh, the GPU acceptance run a lease executes first, dry-run on the CPU at a tiny budget so it
/// cannot rot between leases: every step runs and leaves its result file — the test executable's Category=Repro on
/// the fmnist definition (its overridden recipe refused a verdict, saying so), stacked against separate against the
/// device's noise, a SIGKILL mid-epoch and its resume, bf16 against fp32 — and a second call finds everything done.
/// </summary>
[Collection(TorchCollection.Name)]
public class GpuAcceptanceDryRun
{
    [Fact]
    public void Every_step_runs_on_the_cpu_and_a_second_call_resumes_to_nothing_left()
    {
        using var temp = new TempDir();
        var repo = DataPaths.RepositoryRoot()!;
        string output = Path.Combine(temp.Path, "out"), work = Path.Combine(temp.Path, "work");
        var environment = new Dictionary<string, string>
        {
            ["DEVICE"] = "cpu", ["OUT"] = output, ["WORK"] = work, ["SHARDS"] = "1", ["WORKERS"] = "1", ["SEEDS"] = "0,1",
            ["REPRO"] = $"dotnet exec {ReproProcess.Dll}", ["TESTS"] = Path.Combine(AppContext.BaseDirectory, "Repro.Tests"),
            ["SET"] = "width=8;trainSubset=128;testSubset=200;epochs=2;milestones=[1];batchSize=32",
        };
        var script = Path.Combine(repo, "scripts", "gpu-accept.sh");
        using (var run = ReproProcess.StartCommand("bash", [script, "600"], environment: environment))
            Assert.True(run.Wait(TimeSpan.FromMinutes(8)) == 0, run.Output);
        string Read(string name) => File.ReadAllText(Path.Combine(output, name));
        Assert.Contains("done: 5 of 5 steps", Read("session.log"));

        // 1. The entry point: the units and the resume on the reproduction's device pass; the verdict refuses a dry run.
        var results = XDocument.Load(Path.Combine(output, "entry.xml")).Descendants("test")
            .ToDictionary(t => t.Attribute("method")!.Value, t => t.Attribute("result")!.Value);
        Assert.Equal("Pass", results["Units_of_this_shard_run_to_completion"]);
        Assert.Equal("Pass", results["An_interrupted_unit_resumes_on_the_gpu_and_keeps_training"]);
        Assert.Equal("Fail", results["Reproduced_table_is_within_the_tolerance_bands"]);
        Assert.Contains("a dry run, not a reproduction", Read("entry.log"));
        Assert.Contains("L2 15 Mag", Read("table-fp32.txt"));
        Assert.Contains("<html", Read("report.html"));

        // 2. Five seeds stacked against separate, four epochs each, judged against the repeat (bit-identical on a CPU).
        var stacked = Read("stacked-vs-separate.txt");
        foreach (var column in new[] { "loss@1", "loss@4", "accuracy", "auroc:mnist", "auroc:fashion-mnist-novel4" }) Assert.Contains(column, stacked);
        Assert.Equal(5, stacked.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^[0-4]\s+\d")));
        Assert.Contains("the repeat was bit-identical", stacked);

        // 3. Killed mid-epoch 3, resumed after epoch 2, nothing lost or left half-written, the same numbers as uninterrupted.
        var resume = Read("resume.txt");
        Assert.Matches(@"killed with SIGKILL in epoch 3, at: .*epoch 3/4 \[", resume);
        Assert.Contains("after the kill: finished units of seeds 0-4: 0", resume);
        Assert.Contains("resuming after epoch 2", resume);
        Assert.Contains("finished units: 6; left half-written: 0", resume);
        Assert.Contains("the finished seed-5 unit is byte for byte unchanged", resume);
        Assert.Contains("differ by no more than the device's own noise in all 7 quantities", resume);

        // 4. bf16 against fp32 on the seeds both trained, each AUROC against its band-derived margin.
        var precision = Read("bf16-vs-fp32.txt");
        Assert.Contains("only in SECOND (not compared): l2 seed 2", precision);
        Assert.Equal(6, precision.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"auroc:\S+\s+\[.*\]\s+±0\.\d+\s+(equivalent|NOT SHOWN)")));
        Assert.True(File.Exists(Path.Combine(output, "runs.tar.xz")));

        // Again on the same machine: every step is found done, nothing trains.
        using var again = ReproProcess.StartCommand("bash", [script, "600"], environment: environment);
        Assert.True(again.Wait(TimeSpan.FromMinutes(2)) == 0, again.Output);
        Assert.Contains("done: 5 of 5 steps", again.Output);
        Assert.DoesNotContain("== phase", again.Output);
    }
}
