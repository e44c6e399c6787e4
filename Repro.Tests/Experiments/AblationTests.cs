using Repro.Experiments;
using Repro.Metrics;
using Repro.Runs;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>An ablation read from a table of hand-set AUROCs: effects, contrasts and interactions checked against arithmetic done by hand.</summary>
public class AblationTests
{
    private static readonly Dictionary<string, double[]> Own = new()
    {
        ["a_batchSize-16"] = [0.90, 0.92, 0.94], ["a_batchSize-64"] = [0.80, 0.83, 0.81],
        ["b_batchSize-16"] = [0.85, 0.86, 0.84], ["b_batchSize-64"] = [0.84, 0.86, 0.85],
        ["g_batchSize-16_featureNormTemperature-1"] = [0.90, 0.91, 0.92], ["g_batchSize-64_featureNormTemperature-1"] = [0.80, 0.80, 0.83],
        ["g_batchSize-16_featureNormTemperature-0.5"] = [0.95, 0.95, 0.95], ["g_batchSize-64_featureNormTemperature-0.5"] = [0.70, 0.72, 0.71],
    };

    private static (PaperTable Table, Ablation Ablation) Build(Func<string, int, bool>? finished = null)
    {
        using var dir = new TempDir();
        var path = dir.File("ablation.json");
        File.WriteAllText(path, """
            { "name": "ablation", "version": 1, "source": "test", "seeds": [0, 1, 2], "oodSets": { "mnist": "far" }, "secondScore": "energy",
              "common": { "inDistribution": "fashion-mnist", "oodSets": ["mnist"], "featureNorm": "train-only" }, "sources": {},
              "rows": [
                { "name": "a", "label": "A", "score": "feature_norm", "config": {}, "axes": { "batchSize": [16, 64] } },
                { "name": "b", "label": "B", "score": "msp", "config": {}, "axes": { "batchSize": [16, 64] } },
                { "name": "g", "label": "G", "score": "feature_norm", "config": {}, "axes": { "batchSize": [16, 64], "featureNormTemperature": [1, 0.5] } } ] }
            """);
        var d = ExperimentDefinition.Load(path);
        var units = d.Rows.SelectMany(r => Enumerable.Range(0, 3).Where(s => finished?.Invoke(r.Name, s) ?? true).Select(s => new UnitResult(r.Name, s, r.Score, 0.9,
            new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
            {
                // The second score sits 0.05 below the own one, so the plot's two lines are told apart.
                ["mnist"] = new Dictionary<string, OodMetrics> { [r.Score] = new(Own[r.Name][s], 0, 0, 0), ["energy"] = new(Own[r.Name][s] - 0.05, 0, 0, 0) },
            },
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch)));
        var table = PaperTable.Aggregate(d, units);
        return (table, Ablation.Of(table)!);
    }

    [Fact]
    public void Each_axis_shows_every_method_at_its_levels_with_every_other_axis_at_its_base()
    {
        var (_, ablation) = Build();
        Assert.Equal("energy", ablation.SecondScore);
        Assert.Equal(["batchSize", "featureNormTemperature"], ablation.Axes.Select(a => a.Axis));
        var batch = ablation.Axes[0];
        Assert.Equal(["16", "64"], batch.Levels);
        Assert.Equal(["a", "b", "g"], batch.Methods.Select(m => m.Method));
        // G's batch-size line holds τ at its base (1): the grid's τ = 0.5 cells are not on it.
        Assert.Equal(["g_batchSize-16_featureNormTemperature-1", "g_batchSize-64_featureNormTemperature-1"],
            batch.Methods[2].Points.Select(p => p.Row.Definition.Name));
        Assert.Equal(0.92, batch.Methods[0].Points[0].Row.Own("mnist").Auroc.Mean, 12);
        Assert.Equal(0.87, batch.Methods[0].Points[0].Row.EveryScore["mnist"]["energy"].Auroc.Mean, 12);
        Assert.Equal(["g"], ablation.Axes[1].Methods.Select(m => m.Method));
    }

    [Fact]
    public void Differences_pair_seed_by_seed_as_computed_by_hand()
    {
        var (_, ablation) = Build();
        var batch = ablation.Axes[0];
        // A, 64 − 16: per seed −0.10, −0.09, −0.13; mean −0.106667, SD 0.020817, t(2, 0.975) = 4.302653 → ±0.051712.
        var a = Assert.Single(batch.Methods[0].FromBase);
        Assert.Equal("A: 64 − 16", a.Comparison);
        Assert.Equal(-0.106667, a.Paired!.MeanDifference, 6);
        Assert.Equal(-0.158379, a.Paired.Interval.Low, 5);
        Assert.Equal(-0.054955, a.Paired.Interval.High, 5);
        // Three differences of one sign: 2 of the 8 sign patterns reach |sum| ≥ 0.32.
        Assert.Equal(0.25, a.Paired.PValue, 12);
        Assert.Equal(3, a.Paired.SeedsFor80PercentPower);
        // A − B at each level, then how that gap moves from 16 to 64: per seed −0.09, −0.09, −0.14.
        var contrasts = batch.Contrasts.ToDictionary(c => c.Comparison, c => c.Paired!.MeanDifference);
        Assert.Equal(0.07, contrasts["A − B at 16"], 12);
        Assert.Equal(-0.036667, contrasts["A − B at 64"], 6);
        var interaction = batch.Interactions.Single(i => i.Comparison == "(A − B) at 64 − at 16");
        Assert.Equal(-0.106667, interaction.Paired!.MeanDifference, 6);
        Assert.Equal(3, batch.Interactions.Count);   // A×B, A×G, B×G
        // G's grid: (64, 0.5) − (64, 1) − (16, 0.5) + (16, 1) = −0.15, −0.12, −0.15.
        var grid = Assert.Single(ablation.GridInteractions);
        Assert.Equal("G: (featureNormTemperature 0.5 − 1) at batchSize 64 − at 16", grid.Comparison);
        Assert.Equal(-0.14, grid.Paired!.MeanDifference, 12);
        Assert.Equal(-0.14 - 4.302653 * Math.Sqrt(0.0003 / 3), grid.Paired.Interval.Low, 5);
        // Methods at their bases: A − B at 16 again, and A − G's base (16, τ 1): 0, +0.01, +0.02.
        Assert.Equal(["A − B (bases)", "A − G (bases)", "B − G (bases)"], ablation.BaseContrasts.Select(c => c.Comparison));
        Assert.Equal(0.07, ablation.BaseContrasts[0].Paired!.MeanDifference, 12);
        Assert.Equal(0.01, ablation.BaseContrasts[1].Paired!.MeanDifference, 12);
    }

    [Fact]
    public void A_comparison_pairs_only_the_seeds_both_cells_finished_and_says_when_under_two()
    {
        // A at 64 lost seeds 1 and 2; B at 64 lost seed 0.
        var (_, ablation) = Build((row, seed) => !(row == "a_batchSize-64" && seed > 0) && !(row == "b_batchSize-64" && seed == 0));
        var batch = ablation.Axes[0];
        Assert.Null(batch.Methods[0].FromBase[0].Paired);
        var b = batch.Methods[1].FromBase[0].Paired!;
        Assert.Equal([1, 2], b.Seeds);
        Assert.Equal((0.0 + 0.01) / 2, b.MeanDifference, 12);
        Assert.Null(batch.Contrasts.Single(c => c.Comparison == "A − B at 64").Paired);
    }

    [Fact]
    public void A_definition_without_sweeps_has_no_ablation()
    {
        var d = ExperimentDefinition.LoadNamed("quick");
        Assert.Null(Ablation.Of(PaperTable.Aggregate(d, [])));
    }
}
