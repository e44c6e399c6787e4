using Repro.Data;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Model;
using Repro.Runs;
using Repro.Training;
using Snapshooter.Xunit;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>Table 1's versioned definition and bands, and the aggregation that judges results against them.</summary>
public class DefinitionTests
{
    private static string Repo => DataPaths.RepositoryRoot()!;
    private static ExperimentDefinition Table1 => ExperimentDefinition.Load(Path.Combine(Repo, "experiments", "table1.json"));
    private static ToleranceBands Bands => ToleranceBands.Load(Path.Combine(Repo, "experiments", "table1.bands.json"));

    [Fact]
    public void Table1_has_the_papers_six_rows_fifteen_seeds_and_switches()
    {
        var d = Table1;
        Assert.Equal(15, d.Seeds.Distinct().Count());
        Assert.Equal(["logitnorm-60", "logitnorm-60-plus", "logitnorm-350-plus", "l2-60", "l2-350", "no-l2-60"], d.Rows.Select(r => r.Name));
        var c = d.Rows.ToDictionary(r => r.Name, d.ConfigFor);
        Assert.All(c.Values, x => Assert.Equal(("cifar10", 64, 0.1, 0.1), (x.InDistribution, x.Width, x.LearningRate, x.Gamma)));
        Assert.All(c.Values, x => Assert.Equal(["svhn", "cifar100"], x.OodSets));

        // LogitNorm: plain ReLU ResNet18, no SN, batch 128, MSP.
        Assert.Equal((LossKind.Logitnorm, ActivationKind.Relu, false, 128, "msp"),
            (c["logitnorm-60"].Loss, c["logitnorm-60"].Activation, c["logitnorm-60"].SpectralNorm, c["logitnorm-60"].BatchSize, c["logitnorm-60"].PrimaryScore));
        // "+" and L2 rows: SN + leaky ReLU; L2 rows train-only normalization at batch 1024 scored by ‖z‖.
        foreach (var name in new[] { "logitnorm-60-plus", "logitnorm-350-plus", "l2-60", "l2-350", "no-l2-60" })
            Assert.Equal((true, ActivationKind.LeakyRelu), (c[name].SpectralNorm, c[name].Activation));
        Assert.Equal((FeatureNormMode.TrainOnly, 1024, "feature_norm"), (c["l2-60"].FeatureNorm, c["l2-60"].BatchSize, c["l2-60"].PrimaryScore));
        Assert.Equal(FeatureNormMode.None, c["no-l2-60"].FeatureNorm);
        // Schedules: [40, 50] of 60 and [150, 250] of 350.
        Assert.Equal(60, c["l2-60"].Epochs);
        Assert.Equal([40, 50], c["l2-60"].Milestones);
        Assert.Equal(350, c["l2-350"].Epochs);
        Assert.Equal([150, 250], c["l2-350"].Milestones);
        Assert.All(d.Rows, r => Assert.NotNull(r.Paper));
    }

    [Fact]
    public void Every_banded_cell_and_claim_names_a_real_row_and_every_row_is_banded()
    {
        var d = Table1;
        var bands = Bands;
        Assert.All(bands.Cells, b => Assert.Contains(b.Row, d.Rows.Select(r => r.Name)));
        Assert.All(bands.Claims, c => Assert.Contains(c.Left.Row, d.Rows.Select(r => r.Name)));
        foreach (var row in d.Rows)
        {
            Assert.Contains(bands.Cells, b => b.Row == row.Name && b.Metric == Band.AccuracyAverage);
            foreach (var ood in d.OodSets.Keys)
                Assert.Contains(bands.Cells, b => b.Row == row.Name && b.Metric == Band.AurocAverage && b.Ood == ood);
        }
        // The paper's own numbers satisfy its own bands and claims: the bands are not contradictory.
        var paperResults = d.Rows.SelectMany(r => Enumerable.Range(0, 1).Select(_ => FakeUnit(r, 0, r.Paper!.Auroc["svhn"].Avg, r.Paper.Auroc["cifar100"].Avg, r.Paper.Accuracy)));
        var table = PaperTable.Aggregate(d, paperResults);
        Assert.All(table.Judge(bands), v => Assert.Equal(Verdict.Within, v.Verdict));
        Assert.All(table.JudgeClaims(bands), v => Assert.Equal(Verdict.Within, v.Verdict));
    }

    [Fact]
    public void Fmnist_profile_loads_and_its_near_ood_split_partitions_the_classes()
    {
        var d = ExperimentDefinition.Load(Path.Combine(Repo, "experiments", "fmnist.json"));
        Assert.Equal(["logitnorm", "l2", "no-l2"], d.Rows.Select(r => r.Name));
        Assert.True(d.Seeds.Length >= 5);
        var data = new DataSets();
        var known = data.Get("fashion-mnist-known6", Split.Test);
        var novel = data.Get("fashion-mnist-novel4", Split.Test);
        Assert.Equal(6_000, known.Count);
        Assert.Equal(4_000, novel.Count);
        Assert.All(known.Labels, l => Assert.InRange(l, 0, 5));
        Assert.All(novel.Labels, l => Assert.InRange(l, 6, 9));
        Assert.Equal(36_000, data.Get("fashion-mnist-known6", Split.Train).Count);
        var config = d.ConfigFor(d.Row("l2"));
        Assert.Equal("fashion-mnist-known6", config.InDistribution);
        Assert.Equal(6, DataCatalog.Info(config.InDistribution).NumClasses);
    }

    [Fact]
    public void A_bad_key_in_a_row_is_refused_naming_file_row_and_key()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Repo, "experiments", "table1.json")).Replace("\"batchSize\": 1024", "\"batchSize\": 0"));
        var e = Assert.Throws<ConfigException>(() => ExperimentDefinition.Load(path));
        Assert.Equal("batchSize", e.Key);
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("row 'l2-60'", e.Message);
    }

    private static UnitResult FakeUnit(RowDefinition row, int seed, double svhn, double cifar100, double accuracy) => new(
        row.Name, seed, row.Score, accuracy,
        new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
        {
            ["svhn"] = new Dictionary<string, OodMetrics> { [row.Score] = new(svhn, 0, 0, 0) },
            ["cifar100"] = new Dictionary<string, OodMetrics> { [row.Score] = new(cifar100, 0, 0, 0) },
        },
        [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    [Fact]
    public void Partial_results_aggregate_with_missing_cells_shown_as_missing()
    {
        var d = Table1;
        var l2 = d.Row("l2-60");
        var ln = d.Row("logitnorm-60");
        var results = new[]
        {
            FakeUnit(l2, 0, 0.970, 0.880, 0.93), FakeUnit(l2, 1, 0.980, 0.890, 0.92), FakeUnit(l2, 2, 0.900, 0.886, 0.925),
            FakeUnit(ln, 0, 0.960, 0.889, 0.92),
        };
        var table = PaperTable.Aggregate(d, results);
        var row = table.Rows.Single(r => r.Definition.Name == "l2-60");
        Assert.Equal(new AurocCell(0.900, 0.980, (0.970 + 0.980 + 0.900) / 3, 3), row.Auroc["svhn"]);
        Assert.Equal(12, row.MissingSeeds.Count);
        Assert.Null(table.Rows.Single(r => r.Definition.Name == "l2-350").Auroc["svhn"]);

        var verdicts = table.Judge(Bands);
        Assert.Equal(Verdict.Outside, verdicts.Single(v => v.Band.Row == "l2-60" && v.Band.Ood == "svhn").Verdict);   // 0.95 < 0.963
        Assert.Equal(Verdict.Within, verdicts.Single(v => v.Band.Row == "l2-60" && v.Band.Ood == "cifar100").Verdict);
        Assert.Equal(Verdict.Missing, verdicts.Single(v => v.Band.Row == "l2-350" && v.Band.Ood == "svhn").Verdict);
        var claims = table.JudgeClaims(Bands).ToDictionary(c => c.Claim.Id, c => c.Verdict);
        Assert.Equal(Verdict.Outside, claims["l2-beats-logitnorm-far"]);   // 0.950 < 0.960
        Assert.Equal(Verdict.Missing, claims["longer-helps-near"]);

        Snapshot.Match(table.Format(Bands).Split('\n'));
    }
}
