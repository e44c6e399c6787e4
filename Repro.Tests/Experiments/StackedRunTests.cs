using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>An experiment run in stacks: each seed still gets its own unit; shards and claims deal whole stacks.</summary>
[Collection(TorchCollection.Name)]
public class StackedRunTests
{
    private static RunConfig Tiny => TinyRun.Config() with { TrainSubset = 256, TestSubset = 1000 };

    [Fact]
    public void A_stacked_run_writes_each_seed_its_own_unit_recording_its_stack()
    {
        using var temp = new TempDir();
        var experiment = new Experiment("stacked", "four seeds in stacks of two, one failed before", [Tiny], [1, 2, 3, 4]);
        // Seed 4 failed in an earlier run, so its stack trains seed 3 alone (claims held by other processes drop out the
        // same way: WorkersTests).
        UnitFailure.Record(ResultsFolder.Unit(temp.Path, Tiny with { Seed = 4 }).Dir, Tiny with { Seed = 4 }, new DivergenceException(1, 3, "loss is NaN"));
        var log = new List<string>();

        var outcome = ExperimentRunner.Run(experiment, temp.Path, TinyRun.Data, _ => IProgressSink.Silent, log.Add, stack: 2);

        Assert.Equal([1, 2, 3], outcome.Finished.Select(r => r.Seed).Order());
        Assert.Equal(4, Assert.Single(outcome.Failed).Seed);
        var units = ResultsFolder.FindFinished(temp.Path).ToDictionary(u => u.Result.Seed);
        Assert.Equal([1, 2], units[1].Result.StackSeeds);
        Assert.Equal([1, 2], units[2].Result.StackSeeds);
        Assert.Null(units[3].Result.StackSeeds);   // trained alone: an ordinary run
        Assert.Contains(log, line => line.Contains("as one stack of 2"));
        // Each seed is its own run inside the stack, and the stack's checkpoint folder is gone once its units are written.
        Assert.NotEqual(units[1].Result.Curve[0].Loss, units[2].Result.Curve[0].Loss);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(temp.Path, "l2"), "stack-*"));
        Assert.Contains("\"stackSeeds\"", File.ReadAllText(Path.Combine(units[1].Dir, UnitFiles.Metrics)));
        Assert.DoesNotContain("stackSeeds", File.ReadAllText(Path.Combine(units[3].Dir, UnitFiles.Metrics)));
        // Each seed keeps its own trained model, and scored the config's evenly spaced 1,000 images of each test set.
        Assert.All(units.Values, u => Assert.True(File.Exists(UnitModel.PathIn(u.Dir)), $"{u.Dir} has no {UnitModel.File}"));
        Assert.Equal(1000, UnitFiles.ReadScores(units[1].Dir, "mnist").Labels.Length);
        Assert.Equal(1000, UnitFiles.ReadScores(units[2].Dir, "fashion-mnist").Labels.Length);
    }

    [Fact]
    public void Shards_deal_whole_stacks_of_one_row_and_cover_every_unit_once()
    {
        var experiment = new Experiment("dealt", "two rows, five seeds", [Tiny with { Row = "a" }, Tiny with { Row = "b" }], [0, 1, 2, 3, 4]);
        var shards = Enumerable.Range(1, 3).Select(i => ExperimentRunner.ShardStacks(experiment, i, 3, stack: 2)).ToList();
        var stacks = shards.SelectMany(s => s).ToList();
        Assert.All(stacks, s => Assert.Single(s.Select(u => u.Row).Distinct()));
        Assert.All(stacks, s => Assert.InRange(s.Count, 1, 2));
        var units = stacks.SelectMany(s => s).Select(u => (u.Row, u.Seed)).ToList();
        Assert.Equal(experiment.Units().Select(u => (u.Row, u.Seed)).Order(), units.Order());
        Assert.Equal(units.Count, units.Distinct().Count());
        // Stacks of one deal exactly as units did.
        Assert.Equal(experiment.Units().Select(u => (u.Row, u.Seed)),
            ExperimentRunner.ShardStacks(experiment, 1, 1, stack: 1).Select(s => (Assert.Single(s).Row, s[0].Seed)));
    }

    [Fact]
    public void A_rule_per_row_stacks_each_row_by_its_own_size_every_rows_first_stack_first()
    {
        // The device default stacks small-batch rows only (Devices.DefaultStack); rows keep one order across runners.
        var experiment = new Experiment("mixed", "a small-batch and a large-batch row", [Tiny with { Row = "a", BatchSize = 128 },
            Tiny with { Row = "b", BatchSize = 1024 }], [0, 1, 2, 3, 4]);
        var stacks = experiment.Stacks(new StackRule(row => row.BatchSize <= 256 ? 2 : 1))
            .Select(s => $"{s[0].Row}:{string.Join(",", s.Select(u => u.Seed))}").ToList();
        Assert.Equal(["a:0,1", "b:0", "a:2,3", "b:1", "a:4", "b:2", "b:3", "b:4"], stacks);
        Assert.Throws<ConfigException>(() => experiment.Stacks(new StackRule(_ => 0)));
        // On the CPU a stack saves no time, whatever the batch.
        Assert.Equal(1, Devices.DefaultStack(TorchSharp.torch.CPU, 128));
    }
}
