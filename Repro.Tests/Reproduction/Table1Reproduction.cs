using Repro.Cli.Tables;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Reproduction;

/// <summary>
/// The long reproduction: `dotnet test --filter Category=Repro` on a GPU runner with the data present runs (or resumes)
/// this shard's units, then judges the aggregated table against experiments/&lt;definition&gt;.bands.json. Missing data,
/// a missing GPU, missing bands or unfinished units fail with what to do — never a silent pass or skip.
/// Excluded from the default run (it takes GPU-hours).
/// </summary>
[Trait("Category", "Repro")]
[Collection(TorchCollection.Name)]
[TestCaseOrderer(typeof(RunInOrder))]
public class Table1Reproduction
{
    private sealed class EpochLines(string label) : IProgressSink
    {
        public void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond) { }
        public void EpochDone(EpochRecord r, int epochs) =>
            Console.Error.WriteLine($"{label} epoch {r.Epoch}/{epochs}: loss {r.Loss:F3}, acc {r.Accuracy:P1}, {r.ImagesPerSecond:F0} img/s");
    }

    private static (ReproductionRun Run, ExperimentDefinition Definition) Setup()
    {
        var run = ReproductionRun.FromEnvironment();
        var definition = ExperimentDefinition.Load(run.DefinitionPath);
        return (run, definition);
    }

    [Fact, Order(1)]
    public void Units_of_this_shard_run_to_completion()
    {
        var (run, definition) = Setup();
        var problems = run.Preconditions(definition);
        Assert.True(problems.Count == 0, "cannot reproduce:\n- " + string.Join("\n- ", problems.Select(p => p.Message + Repro.Cli.CommandHints.For(p))));

        var experiment = run.Experiment(definition);
        // The stacks a `repro run` on this device would train (8 seeds as one model at batch ≤ 256 on a large card).
        var stack = StackRule.Default(Devices.Resolve(run.Device));
        var outcome = ExperimentRunner.Run(experiment, run.ResultsDir, new DataSets(),
            unit => new EpochLines($"[{unit.Row} s{unit.Seed}]"), Console.Error.WriteLine, run.Shard, run.Shards, stack);
        Assert.True(outcome.Failed.Count == 0, "units failed:\n- " + string.Join("\n- ", outcome.Failed.Select(f => $"{f.Row} seed {f.Seed}: {f.Reason}")));
        Assert.Equal(ExperimentRunner.Shard(experiment, run.Shard, run.Shards, stack).Count, outcome.Finished.Count + outcome.LeftToOthers.Count);
        Assert.All(outcome.Finished, r => Assert.True(r.Ood.Count == definition.OodSets.Count, $"{r.Row} seed {r.Seed} lacks OoD sets"));
    }

    [Fact, Order(2)]
    public void Reproduced_table_is_within_the_tolerance_bands()
    {
        var (run, definition) = Setup();
        var results = Directory.Exists(run.ResultsDir) ? ResultsFolder.LoadFinished(run.ResultsDir) : [];
        if (run.Shards > 1)
        {
            // One shard holds a share of the units: it can only show that its share is done. The bands are judged where
            // the shards' folders are merged (REPRO_RESULTS = the merged folder, no REPRO_SHARD; see .github/workflows).
            var mine = ExperimentRunner.Shard(run.Experiment(definition), run.Shard, run.Shards, StackRule.Default(Devices.Resolve(run.Device)));
            var done = results.Select(r => (r.Row, r.Seed)).ToHashSet();
            var unfinished = mine.Where(u => !done.Contains((u.Row, u.Seed))).Select(u => $"{u.Row} seed {u.Seed}").ToList();
            Assert.True(unfinished.Count == 0, $"shard {run.Shard}/{run.Shards}: units not finished in {run.ResultsDir}:\n- " +
                                               string.Join("\n- ", unfinished));
            Console.Error.WriteLine($"shard {run.Shard}/{run.Shards}: all {mine.Count} units finished; the bands are judged on the merged results");
            return;
        }
        Assert.True(File.Exists(run.BandsPath),
            $"`{run.Name}` has no tolerance bands yet ({run.BandsPath}): measure them over ≥ 5 seeds on a GPU and commit them with the measurement");
        var bands = ToleranceBands.Load(run.BandsPath);
        var table = PaperTable.Aggregate(definition, results);
        Console.Error.WriteLine(table.Format(bands, run.BandsPath));
        if (Directory.Exists(run.ResultsDir))
        {
            // The page a reviewer opens (and CI publishes), written whether or not the bands hold.
            var report = Path.Combine(run.ResultsDir, Reporting.HtmlReport.FileName);
            Reporting.HtmlReport.Write(run.ResultsDir, report, run.DefinitionPath, run.BandsPath);
            Console.Error.WriteLine($"report: {report}");
        }

        // A dry run (the GPU acceptance script on a CPU) trains another recipe: shown and reported above, never judged.
        Assert.True(run.Overrides is not { Count: > 0 }, $"${ReproductionRun.SetVariable} overrides the definition " +
            $"({string.Join("; ", run.Overrides!)}): a dry run, not a reproduction, so the bands are not judged");
        // Bands of an older definition version were measured on another model: shown above, never passed or failed against.
        Assert.True(bands.AppliesTo(definition), bands.NotApplicableNote(definition, run.BandsPath));
        var missing = table.Rows.Where(r => r.MissingSeeds.Count > 0)
            .Select(r => $"{r.Definition.Name}: seeds {string.Join(",", r.MissingSeeds)}").ToList();
        Assert.True(missing.Count == 0, $"units not finished in {run.ResultsDir} (run every shard, or merge their results there first):\n- " +
                                        string.Join("\n- ", missing));
        var outside = table.Judge(bands).Where(v => v.Verdict != Verdict.Within)
            .Select(v => $"{v.Band.Row} {v.Band.Metric} {v.Band.Ood}: {v.Value:F3} not in [{v.Band.Low}, {v.Band.High}] — {v.Band.Reason}");
        var failedClaims = table.JudgeClaims(bands).Where(c => c.Verdict != Verdict.Within)
            .Select(c => $"claim '{c.Claim.Text}': {c.Left:F3} vs {c.Right:F3} — {c.Judgement}");
        var failures = outside.Concat(failedClaims).ToList();
        Assert.True(failures.Count == 0, "outside the bands:\n- " + string.Join("\n- ", failures));
    }
}
