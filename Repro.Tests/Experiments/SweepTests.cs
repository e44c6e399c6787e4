using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>A row's axes expand on load into one ordinary row per cell, named after its levels; bad axes are one error.</summary>
public class SweepTests
{
    private static ExperimentDefinition LoadWith(string rows, string extra = "")
    {
        using var dir = new TempDir();
        var path = dir.File("sweep.json");
        File.WriteAllText(path, $$"""
            { "name": "sweep", "version": 1, "source": "test", "seeds": [3, 7], "oodSets": { "mnist": "far" }, {{extra}}
              "common": { "inDistribution": "fashion-mnist", "oodSets": ["mnist"], "width": 8, "epochs": 2, "milestones": [1] },
              "sources": {}, "rows": [ {{rows}} ] }
            """);
        return ExperimentDefinition.Load(path);
    }

    private static string Error(string rows) =>
        Assert.ThrowsAny<ReproException>(() => LoadWith(rows)).Message;

    [Fact]
    public void A_grid_makes_every_combination_each_a_row_named_by_its_levels()
    {
        var d = LoadWith("""
            { "name": "l2", "label": "L2", "score": "feature_norm", "config": { "featureNorm": "train-only" },
              "axes": { "batchSize": [16, 64], "featureNormTemperature": [1, 0.5, 0.1] } }
            """);
        Assert.Equal(["l2_batchSize-16_featureNormTemperature-1", "l2_batchSize-16_featureNormTemperature-0.5", "l2_batchSize-16_featureNormTemperature-0.1",
                      "l2_batchSize-64_featureNormTemperature-1", "l2_batchSize-64_featureNormTemperature-0.5", "l2_batchSize-64_featureNormTemperature-0.1"],
            d.Rows.Select(r => r.Name));
        var configs = d.Rows.Select(d.ConfigFor).ToList();
        Assert.Equal([16, 16, 16, 64, 64, 64], configs.Select(c => c.BatchSize));
        Assert.Equal([1, 0.5, 0.1, 1, 0.5, 0.1], configs.Select(c => c.FeatureNormTemperature));
        Assert.All(configs, c => Assert.Equal(FeatureNormMode.TrainOnly, c.FeatureNorm));
        Assert.All(d.Rows, r => Assert.Equal(("l2", "feature_norm"), (r.Cell!.Method, r.Score)));
        Assert.Equal(["64", "0.5"], d.Rows[4].Cell!.Levels);
        Assert.Equal("L2 (batchSize 64, featureNormTemperature 0.5)", d.Rows[4].Label);
        // Every cell trains the definition's seeds: any two cells pair.
        Assert.Equal(12, d.ToExperiment().Units().Count());
    }

    [Fact]
    public void One_at_a_time_varies_each_axis_alone_from_the_first_levels()
    {
        var d = LoadWith("""
            { "name": "ln", "label": "LN+", "score": "msp", "config": { "loss": "logitnorm" }, "sweep": "one-at-a-time",
              "axes": { "batchSize": [16, 64, 256],
                        "equal-steps": { "b16": { "batchSize": 16 }, "b64": { "batchSize": 64, "epochs": 8, "milestones": [4] } },
                        "spectralNorm": [true, false], "featureNormEpsilon": [1e-12, 1e-6] } }
            """);
        Assert.Equal(["ln", "ln_batchSize-64", "ln_batchSize-256", "ln_equal-steps-b64", "ln_spectralNorm-false", "ln_featureNormEpsilon-1e-6"],
            d.Rows.Select(r => r.Name));
        var c = d.Rows.ToDictionary(r => r.Name, d.ConfigFor);
        Assert.Equal((16, 2, true, 1e-12), (c["ln"].BatchSize, c["ln"].Epochs, c["ln"].SpectralNorm, c["ln"].FeatureNormEpsilon));
        Assert.Equal((256, 2, true), (c["ln_batchSize-256"].BatchSize, c["ln_batchSize-256"].Epochs, c["ln_batchSize-256"].SpectralNorm));
        Assert.Equal((64, 8), (c["ln_equal-steps-b64"].BatchSize, c["ln_equal-steps-b64"].Epochs));
        Assert.Equal([4], c["ln_equal-steps-b64"].Milestones);
        Assert.Equal((16, false), (c["ln_spectralNorm-false"].BatchSize, c["ln_spectralNorm-false"].SpectralNorm));
        Assert.Equal(1e-6, c["ln_featureNormEpsilon-1e-6"].FeatureNormEpsilon);
        Assert.Equal("LN+ (base)", d.Rows[0].Label);
        Assert.True(d.Rows[3].Cell!.VariesOnly("equal-steps"));
        Assert.False(d.Rows[3].Cell!.VariesOnly("batchSize"));
        Assert.True(d.Rows[0].Cell!.VariesOnly("batchSize"));
    }

    [Theory]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": {} }""", "axes", "at least one axis")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [16] } }""", "axes.batchSize", "at least two levels")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [] } }""", "axes.batchSize", "at least two levels")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [16, 16.0] } }""", "axes.batchSize", "distinct")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSise": [16, 32] } }""", "batchSise", "no such key")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [16, 1] } }""", "batchSize", "row 'a_batchSize-1'")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": { "batchSize": 8 }, "axes": { "batchSize": [16, 32] } }""", "axes.batchSize", "row's config also sets")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [16, 32], "s": { "x": { "batchSize": 16 }, "y": { "epochs": 3 } } } }""", "axes.", "disjoint")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "sweep": "one-at-a-time", "axes": { "batchSize": [16, 32], "s": { "x": { "batchSize": 32 }, "y": { "epochs": 3 } } } }""", "axes.", "another base value")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "sweep": "random", "axes": { "batchSize": [16, 32] } }""", "sweep", "grid or one-at-a-time")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "milestones": [[1], [2]] } }""", "axes.milestones", "name the levels")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "s": { "x": 3, "y": { "epochs": 3 } } } }""", "axes.s.x", "object of config keys")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "s": { "x": {}, "y": { "epochs": 3 } } } }""", "axes.s.x", "at least one config key")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "row": ["b", "c"] } }""", "axes.row", "not a recipe key")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "s": { "../x": { "epochs": 3 }, "y": { "epochs": 4 } } } }""", "axes.s level", "")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "axes": { "batchSize": [16, 32] } }, { "name": "a_batchSize-32", "label": "B", "score": "msp", "config": {} }""", "", "two rows named 'a_batchSize-32'")]
    [InlineData("""{ "name": "a", "label": "A", "score": "msp", "config": {}, "paper": { "auroc": {}, "accuracy": 0.9 }, "axes": { "batchSize": [16, 32] } }""", "", "no paper numbers")]
    public void Bad_axes_are_one_error_naming_the_row_and_key(string rows, string key, string problem)
    {
        var message = Error(rows);
        Assert.Contains(key, message);
        Assert.Contains(problem, message);
        Assert.Contains("sweep.json", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void The_second_score_must_be_a_registered_one()
    {
        var message = Assert.ThrowsAny<ReproException>(() => LoadWith("""{ "name": "a", "label": "A", "score": "msp", "config": {} }""", "\"secondScore\": \"nope\",")).Message;
        Assert.Contains("secondScore", message);
        Assert.Contains("feature_norm", message);
    }

    [Fact]
    public void The_committed_ablations_expand_to_cells_that_all_pair_and_whose_bases_are_the_papers_rows()
    {
        var d = ExperimentDefinition.LoadNamed("ablations-quick");
        Assert.All(d.Rows, r => Assert.NotNull(r.Cell));
        Assert.Equal(["l2", "no-l2", "logitnorm", "logitnorm-plus"], d.Rows.Select(r => r.Cell!.Method).Distinct());
        Assert.True(d.Seeds.Length >= 5);
        var c = d.Rows.ToDictionary(r => r.Name, d.ConfigFor);
        // Batch size apart from steps: equal epochs (fewer steps at larger batches) and equal steps (more epochs).
        foreach (var method in new[] { "l2", "no-l2", "logitnorm" })
        {
            // The trainer's steps: every image once per epoch, the last batch partial.
            int Steps(string row) => c[row].Epochs * ((c[row].TrainSubset!.Value + c[row].BatchSize - 1) / c[row].BatchSize);
            Assert.Equal(c[method].Epochs, c[$"{method}_batchSize-256"].Epochs);
            Assert.Equal((1250, 1256), (Steps(method), Steps($"{method}_equal-steps-b64")));
            Assert.Equal(64, c[$"{method}_equal-steps-b64"].BatchSize);
        }
        // LogitNorm+ is LogitNorm with DDU's three additions; each cell takes one away.
        var plus = c["logitnorm-plus"];
        Assert.Equal((true, ShortcutKind.Avgpool, ActivationKind.LeakyRelu, Repro.Training.LossKind.Logitnorm), (plus.SpectralNorm, plus.Shortcut, plus.Activation, plus.Loss));
        Assert.Equal((false, ShortcutKind.Conv, ActivationKind.Relu), (c["logitnorm"].SpectralNorm, c["logitnorm"].Shortcut, c["logitnorm"].Activation));
        Assert.False(c["logitnorm-plus_spectralNorm-false"].SpectralNorm);
        Assert.Equal(ShortcutKind.Conv, c["logitnorm-plus_shortcut-conv"].Shortcut);
        Assert.Equal(ActivationKind.Relu, c["logitnorm-plus_activation-relu"].Activation);
        // Cells differ from their base in their axis's keys only.
        foreach (var row in d.Rows.Where(r => r.Name != r.Cell!.Method))
            Assert.NotEmpty(c[row.Name].RecipeDifferences(c[row.Cell!.Method]));
    }

    [Fact]
    public void The_gpu_scale_ablations_bases_are_the_fmnist_rows_and_equal_steps_are_equal()
    {
        var d = ExperimentDefinition.LoadNamed("ablations");
        var fmnist = ExperimentDefinition.LoadNamed("fmnist");
        foreach (var method in new[] { "l2", "no-l2", "logitnorm" })
            Assert.Empty(d.ConfigFor(d.Row(method)).RecipeDifferences(fmnist.ConfigFor(fmnist.Row(method)), "row"));
        var c = d.Rows.ToDictionary(r => r.Name, d.ConfigFor);
        // Steps as the trainer takes them: the held-out share removed (36,000 known-class training images), last batch partial.
        int Steps(string row) => c[row].Epochs * (int)Math.Ceiling(Math.Round(36_000 * (1 - c[row].ValidationFraction)) / c[row].BatchSize);
        Assert.Equal((480, 508), (Steps("l2"), Steps("l2_equal-steps-b128-e2")));
        Assert.Equal((4230, 4320), (Steps("logitnorm"), Steps("logitnorm_equal-steps-b1024-e120")));
    }

    [Fact]
    public void Cells_shard_and_stack_as_rows_do()
    {
        // Cells are rows: three shards of the committed quick ablation cover every unit once, and a stack of seeds never
        // crosses two cells (each stack is one recipe, differing only by seed).
        var experiment = ExperimentDefinition.LoadNamed("ablations-quick").ToExperiment();
        var all = experiment.Units().Select(u => (u.Row, u.Seed)).ToList();
        Assert.Equal(20 * 5, all.Count);
        var sharded = Enumerable.Range(1, 3).SelectMany(i => ExperimentRunner.Shard(experiment, i, 3, stack: 4)).Select(u => (u.Row, u.Seed)).ToList();
        Assert.Equal(all.Order(), sharded.Order());
        var stacks = Enumerable.Range(1, 3).SelectMany(i => ExperimentRunner.ShardStacks(experiment, i, 3, stack: 4)).ToList();
        Assert.All(stacks, s => Assert.Single(s.Select(u => u with { Seed = 0 }).Distinct()));
        Assert.Contains(stacks, s => s.Count == 4);
    }
}
