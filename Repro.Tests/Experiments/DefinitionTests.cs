using Repro.Cli.Tables;
using Repro.Data;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Model;
using Repro.Runs;
using Repro.Training;
using Snapshooter.Xunit3;
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
        // "+" and L2 rows: DDU's resnet18 with -sn -mod (SN, leaky ReLU, average-pooling shortcuts) on its 45k split;
        // L2 rows train-only normalization at batch 1024 scored by ‖z‖. LogitNorm 60: conv shortcuts, all 50k.
        foreach (var name in new[] { "logitnorm-60-plus", "logitnorm-350-plus", "l2-60", "l2-350", "no-l2-60" })
            Assert.Equal((true, ActivationKind.LeakyRelu, ShortcutKind.Avgpool, 0.1),
                (c[name].SpectralNorm, c[name].Activation, c[name].Shortcut, c[name].ValidationFraction));
        Assert.Equal((ShortcutKind.Conv, 0.0), (c["logitnorm-60"].Shortcut, c["logitnorm-60"].ValidationFraction));
        Assert.All(c.Values, x => Assert.Equal((1.0, false, LearningRateSchedule.Step), (x.FeatureNormTemperature, x.Nesterov, x.LrSchedule)));
        Assert.True(d.Version >= 2, "version 2 brought DDU's shortcuts and split");
        Assert.Contains(d.Sources, kv => kv.Value.Contains("net/resnet.py") && kv.Value.Contains("AvgPoolShortCut"));
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
        // The paper's own numbers satisfy its own bands and claims: the bands are not contradictory. Two seeds at the
        // paper's averages, so the claims' paired test has seeds to pair (identical differences: the margin is cleared
        // for certain or not at all).
        var paperResults = d.Rows.SelectMany(r => Enumerable.Range(0, 2).Select(seed => FakeUnit(r, seed, r.Paper!.Auroc["svhn"].Avg, r.Paper.Auroc["cifar100"].Avg, r.Paper.Accuracy)));
        var table = PaperTable.Aggregate(d, paperResults);
        Assert.All(table.Judge(bands), v => Assert.Equal(Verdict.Within, v.Verdict));
        Assert.All(table.JudgeClaims(bands), v => Assert.Equal(Verdict.Within, v.Verdict));
    }

    [Fact]
    public void Fmnist_definition_loads_and_its_near_ood_split_partitions_the_classes()
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
        foreach (var name in new[] { "l2", "no-l2" })
            Assert.Equal((ShortcutKind.Avgpool, true, 0.1), (d.ConfigFor(d.Row(name)).Shortcut, d.ConfigFor(d.Row(name)).SpectralNorm, d.ConfigFor(d.Row(name)).ValidationFraction));
        Assert.Equal((ShortcutKind.Conv, 0.0), (d.ConfigFor(d.Row("logitnorm")).Shortcut, d.ConfigFor(d.Row("logitnorm")).ValidationFraction));
        Assert.Equal(32_400, config.TrainingSplit(36_000).Trained.Length);
    }

    [Fact]
    public void Beyond_trains_t2fnorm_as_openood_does_and_scores_that_one_model_twice()
    {
        var d = ExperimentDefinition.Load(Path.Combine(Repo, "experiments", "beyond.json"));
        Assert.Equal(Table1.Seeds, d.Seeds);
        Assert.Equal(Table1.OodSets, d.OodSets);
        var experiment = d.ToExperiment();
        Assert.Equal(["t2fnorm", "l2-60-tau0.1"], experiment.Rows.Select(r => r.Row));   // the ‖z‖ row trains nothing

        var t2f = d.ConfigFor(d.Row("t2fnorm"));
        Assert.Equal((FeatureNormMode.TrainOnly, 0.1, "msp"), (t2f.FeatureNorm, t2f.FeatureNormTemperature, t2f.PrimaryScore));
        Assert.Equal((ActivationKind.Relu, ShortcutKind.Conv, false), (t2f.Activation, t2f.Shortcut, t2f.SpectralNorm));
        Assert.Equal((100, 128, LearningRateSchedule.Cosine, true, 0.0), (t2f.Epochs, t2f.BatchSize, t2f.LrSchedule, t2f.Nesterov, t2f.ValidationFraction));
        var byNorm = d.ConfigFor(d.Row("t2fnorm-norm"));
        Assert.Equal(("t2fnorm", "feature_norm"), (byNorm.Row, byNorm.PrimaryScore));
        Assert.True(t2f.SameRecipe(byNorm with { PrimaryScore = t2f.PrimaryScore }));

        var tempered = d.ConfigFor(d.Row("l2-60-tau0.1"));
        var parent = Table1.ConfigFor(Table1.Row("l2-60"));
        Assert.Equal(0.1, tempered.FeatureNormTemperature);
        Assert.True(parent.SameRecipe(tempered with { Row = parent.Row, FeatureNormTemperature = 1.0 }), "Table 1's L2 60 with τ = 0.1, nothing else");

        // The ‖z‖ row reads the T2FNorm units' feature_norm AUROCs, the MSP row their msp ones.
        UnitResult Unit(int seed, double msp, double norm) => new("t2fnorm", seed, "msp", 0.95,
            new[] { "svhn", "cifar100" }.ToDictionary(o => o, o => (IReadOnlyDictionary<string, OodMetrics>)new Dictionary<string, OodMetrics>
                { ["msp"] = new(msp, 0, 0, 0), ["feature_norm"] = new(norm, 0, 0, 0) }),
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var table = PaperTable.Aggregate(d, [Unit(0, 0.90, 0.80), Unit(1, 0.92, 0.84)]);
        Assert.Equal(0.91, table.Rows.Single(r => r.Definition.Name == "t2fnorm").Own("svhn").Auroc.Spread!.Avg, 12);
        Assert.Equal(0.82, table.Rows.Single(r => r.Definition.Name == "t2fnorm-norm").Own("svhn").Auroc.Spread!.Avg, 12);
        Assert.Equal([0, 1], table.Rows.Single(r => r.Definition.Name == "t2fnorm-norm").FinishedSeeds);
    }

    [Theory]
    [InlineData("\"modelOf\": \"t2fnorm\"", "\"modelOf\": \"nope\"", "modelOf naming a row that trains its own model")]
    [InlineData("\"modelOf\": \"t2fnorm\",", "\"modelOf\": \"t2fnorm\", \"config\": { \"width\": 8 },", "no config")]
    public void A_row_scoring_another_rows_model_must_name_a_trained_row_and_carry_no_config(string from, string to, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("beyond-bad.json");
        var text = File.ReadAllText(Path.Combine(Repo, "experiments", "beyond.json"));
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
        var e = Assert.Throws<DataFormatException>(() => ExperimentDefinition.Load(path));
        Assert.Contains("beyond-bad.json", e.Message);
        Assert.Contains("t2fnorm-norm", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bands_of_another_definition_version_are_shown_labelled_and_judge_nothing()
    {
        var d = ExperimentDefinition.Load(Path.Combine(Repo, "experiments", "fmnist.json"));
        var old = ToleranceBands.Load(Path.Combine(Repo, "experiments", "fmnist.bands.json")) with { Version = d.Version - 1 };
        Assert.False(old.AppliesTo(d));
        Assert.True((old with { Version = d.Version }).AppliesTo(d));
        var units = d.Rows.Select(r => new UnitResult(r.Name, 0, r.Score, 0.95,
            d.OodSets.Keys.ToDictionary(o => o, o => (IReadOnlyDictionary<string, OodMetrics>)new Dictionary<string, OodMetrics> { [r.Score] = new(0.9, 0, 0, 0) }),
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch));
        var text = PaperTable.Aggregate(d, units).Format(old, "experiments/fmnist.bands.json");
        Assert.Contains($"No tolerance bands for `fmnist` version {d.Version} yet: experiments/fmnist.bands.json holds bands for `fmnist` version {d.Version - 1}", text);
        Assert.Contains($"v{d.Version - 1} band  l2 auroc-avg mnist: [", text);
        Assert.DoesNotContain("✓", text);
        Assert.DoesNotContain("✗", text);
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
        row.UnitRow, seed, row.Score, accuracy,
        new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
        {
            ["svhn"] = new Dictionary<string, OodMetrics> { [row.Score] = new(svhn, 0, 0, 0) },
            ["cifar100"] = new Dictionary<string, OodMetrics> { [row.Score] = new(cifar100, 0, 0, 0) },
        },
        [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    /// <summary>Five seeds of L2 60 and LogitNorm 60 (differences on SVHN 0.07, 0.07, 0.04, 0.085, 0.06) and one of L2 350.</summary>
    private static IEnumerable<UnitResult> FiveSeedsOfTwoRows(ExperimentDefinition d)
    {
        double[] l2 = [0.970, 0.980, 0.960, 0.975, 0.965], ln = [0.900, 0.910, 0.920, 0.890, 0.905], nearLn = [0.88, 0.89, 0.87, 0.90, 0.86];
        return Enumerable.Range(0, 5).SelectMany(s => new[]
        {
            FakeUnit(d.Row("l2-60"), s, l2[s], 0.880, 0.93), FakeUnit(d.Row("logitnorm-60"), s, ln[s], nearLn[s], 0.92),
        }).Append(FakeUnit(d.Row("l2-350"), 0, 0.97, 0.9, 0.95)).ToList();
    }

    /// <summary>The committed bands as a file from before format 2 would have them: no "format", no "alpha".</summary>
    private static ToleranceBands Format1Bands(TempDir dir)
    {
        var text = File.ReadAllText(Path.Combine(Repo, "experiments", "table1.bands.json"));
        Assert.Contains("\"format\": 2,\n  \"alpha\": 0.05,\n", text);
        var path = dir.File("table1-format1.bands.json");
        File.WriteAllText(path, text.Replace("\"format\": 2,\n  \"alpha\": 0.05,\n", ""));
        return ToleranceBands.Load(path);
    }

    [Fact]
    public void Claims_are_judged_by_a_one_sided_paired_t_test_over_the_shared_seeds()
    {
        var d = Table1;
        Assert.Equal((2, 0.05), (Bands.Format, Bands.ClaimAlpha));
        var table = PaperTable.Aggregate(d, FiveSeedsOfTwoRows(d));
        var claims = table.JudgeClaims(Bands).ToDictionary(c => c.Claim.Id);

        // Differences 0.07, 0.07, 0.04, 0.085, 0.06: mean 0.065, s = 0.016583, t = 0.065/(s/√5) = 8.764598 on ν = 4;
        // P(T ≥ t) = 1/2 − (3/8)·u·(1 − v/12) with u = t/√(1 + t²/4), v = t²/(1 + t²/4) (ν = 4's closed form) = 0.000467.
        // All five above the margin 0: one-sided sign-flip p = 1/32.
        var far = claims["l2-beats-logitnorm-far"];
        Assert.Equal(Verdict.Within, far.Verdict);
        Assert.Equal([0, 1, 2, 3, 4], far.Test!.Seeds);
        Assert.Equal(8.764598, far.Test.T, 5);
        Assert.Equal(0.000467, far.Test.PValue, 6);
        Assert.Equal(1 / 32.0, far.Test.SignFlipPValue, 12);
        Assert.Null(far.Paired);
        const string judgement = "supported: one-sided paired t over seeds 0–4 (n = 5), difference +0.065 > margin 0.000, p < 0.001 < α = 0.05 (sign-flip p = 0.031)";
        Assert.Equal(judgement, far.Judgement);
        Assert.Contains($"claim holds   L2 60 Mag ≥ LogitNorm 60 on SVHN (avg AUROC): 0.970 vs 0.905; {judgement}", table.Format(Bands));

        // L2 350 has seed 0 only: nothing to pair, so no verdict, and the reason; No L2 60 has no seed at all.
        var longer = claims["longer-helps-near"];
        Assert.Equal((Verdict.Missing, "missing: l2-350 and l2-60 share only seed 0; the one-sided paired t-test needs two"), (longer.Verdict, longer.Judgement));
        Assert.Equal("missing: no finished seed of no-l2-60 on svhn", claims["no-l2-far-below-far"].Judgement);
        Assert.Contains("claim missing L2 350 better than L2 60 on CIFAR-100 (avg AUROC): 0.900 vs 0.880; missing: l2-350 and l2-60 share only seed 0", table.Format(Bands));
    }

    [Fact]
    public void A_claim_that_holds_on_the_means_can_fail_the_test_and_a_format_1_file_still_judges_on_the_means()
    {
        // Differences 0.2, −0.1, 0.1, −0.1, 0.1: mean 0.04 ≥ margin 0, so it holds on the means (format 1). Tested: s² =
        // (0.16² + 0.14² + 0.06² + 0.14² + 0.06²)/4 = 0.018, s/√5 = 0.06, t = 2/3 on ν = 4 → P(T ≥ t) = 1/2 −
        // (3/8)(0.632456)(1 − 0.4/12) = 0.270735 ≥ 0.05. Sign-flip: ±0.2 plus four ±0.1 reaching 0.2 — +0.2 with at least
        // as many + as − among the 0.1s (6 + 4 + 1) or −0.2 with all four + (1) → 12/32.
        var d = Table1;
        double[] differences = [0.2, -0.1, 0.1, -0.1, 0.1];
        var results = Enumerable.Range(0, 5).SelectMany(s => new[]
        {
            FakeUnit(d.Row("l2-60"), s, 0.8 + differences[s], 0.88, 0.93), FakeUnit(d.Row("logitnorm-60"), s, 0.8, 0.88, 0.92),
        });
        var table = PaperTable.Aggregate(d, results);
        var tested = table.JudgeClaims(Bands).Single(c => c.Claim.Id == "l2-beats-logitnorm-far");
        Assert.Equal(Verdict.Outside, tested.Verdict);
        Assert.Equal(0.270735, tested.Test!.PValue, 6);
        Assert.Equal(12 / 32.0, tested.Test.SignFlipPValue, 12);
        Assert.Equal("not supported: one-sided paired t over seeds 0–4 (n = 5), difference +0.040 > margin 0.000, p = 0.271 ≥ α = 0.05 " +
                     "(sign-flip p = 0.375)", tested.Judgement);
        Assert.Contains("claim FAILS   L2 60 Mag ≥ LogitNorm 60 on SVHN (avg AUROC): 0.840 vs 0.800; not supported: one-sided paired t", table.Format(Bands));
        // The file's α decides: at 0.3 the same p clears it.
        var lenient = table.JudgeClaims(Bands with { Alpha = 0.3 }).Single(c => c.Claim.Id == "l2-beats-logitnorm-far");
        Assert.Equal(Verdict.Within, lenient.Verdict);
        Assert.EndsWith("p = 0.271 < α = 0.3 (sign-flip p = 0.375)", lenient.Judgement);

        using var dir = new TempDir();
        var old = Format1Bands(dir);
        Assert.Equal((1, null), (old.Format, old.Alpha));
        var onMeans = table.JudgeClaims(old).Single(c => c.Claim.Id == "l2-beats-logitnorm-far");
        Assert.Equal(Verdict.Within, onMeans.Verdict);
        Assert.Null(onMeans.Test);
        Assert.Equal("judged on the means (bands format 1): difference +0.040 ≥ margin 0.000", onMeans.Judgement);
        Assert.StartsWith("paired over 5 seeds: mean difference +0.040", onMeans.Statistics);
        Assert.Contains("claim holds   L2 60 Mag ≥ LogitNorm 60 on SVHN (avg AUROC): 0.840 vs 0.800; judged on the means (bands format 1)", table.Format(old));
    }

    [Theory]
    [InlineData("\"format\": 2,", "\"format\": 3,", "'format' 1 (claims judged on the means) or 2", "format 3")]
    [InlineData("\"format\": 2,", "\"format\": 0,", "'format' 1 (claims judged on the means) or 2", "format 0")]
    [InlineData("\"alpha\": 0.05,", "\"alpha\": 0,", "'alpha' in (0, 0.5]", "alpha 0")]
    [InlineData("\"alpha\": 0.05,", "\"alpha\": 0.6,", "'alpha' in (0, 0.5]", "alpha 0.6")]
    [InlineData("\"alpha\": 0.05,", "\"alpha\": -0.01,", "'alpha' in (0, 0.5]", "alpha -0.01")]
    [InlineData("\"format\": 2,", "", "'alpha' only with 'format': 2", "alpha 0.05")]
    [InlineData("\"format\": 2,", "\"format\": \"2\",", "tolerance bands JSON", "$.format")]
    public void A_bad_format_or_alpha_is_refused_naming_the_file_and_key(string from, string to, string expected, string found)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.bands.json");
        var text = File.ReadAllText(Path.Combine(Repo, "experiments", "table1.bands.json"));
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
        var e = Assert.Throws<DataFormatException>(() => ToleranceBands.Load(path));
        Assert.StartsWith(path + ": expected ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(found, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Format_2_without_alpha_tests_at_the_default()
    {
        using var dir = new TempDir();
        var path = dir.File("no-alpha.bands.json");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Repo, "experiments", "table1.bands.json")).Replace("\"alpha\": 0.05,", ""));
        var bands = ToleranceBands.Load(path);
        Assert.Equal((2, 0.05), (bands.Format, bands.ClaimAlpha));
    }

    [Fact]
    public void Claims_are_also_judged_seed_by_seed_in_a_format_1_file()
    {
        var d = Table1;
        using var dir = new TempDir();
        var results = FiveSeedsOfTwoRows(d);
        var claims = PaperTable.Aggregate(d, results).JudgeClaims(Format1Bands(dir)).ToDictionary(c => c.Claim.Id);

        // Differences 0.07, 0.07, 0.04, 0.085, 0.06: mean 0.065, s = 0.016583, t(4) = 2.776445 → ±0.020591; all five
        // positive → sign-flip p = 2/32 (printed 0.063). The interval lies above the margin 0: supported.
        var far = claims["l2-beats-logitnorm-far"].Paired!;
        Assert.Equal([0, 1, 2, 3, 4], far.Seeds);
        Assert.Equal(0.065, far.MeanDifference, 9);
        Assert.Equal(0.044409, far.Interval.Low, 5);
        Assert.Equal(0.085591, far.Interval.High, 5);
        Assert.Equal(2 / 32.0, far.PValue, 12);
        Assert.Equal("supported", far.Resolution);
        Assert.Equal("paired over 5 seeds: mean difference +0.065, its interval [0.044, 0.086] (Student's t, 95%), sign-flip p = 0.063: supported", far.Describe());
        Assert.Contains(far.Describe(), PaperTable.Aggregate(d, results).Format(Format1Bands(dir)));
        // A side with one seed (l2-350) cannot be paired: the claim keeps its mean verdict alone.
        Assert.All(claims.Values.Where(c => c.Claim.Left.Row == "l2-350" || c.Claim.Right.Row == "l2-350"), c => Assert.Null(c.Paired));
    }

    [Fact]
    public void An_interval_across_the_margin_is_not_resolved_and_says_how_many_seeds_would_be()
    {
        // Differences 0.02, −0.01, 0.03, 0.00: mean 0.01, s = 0.018257 → the interval holds 0; σ/δ = 1.8257.
        var left = new SeedValues([new(0, 0.92), new(1, 0.89), new(2, 0.93), new(3, 0.90)]);
        var right = new SeedValues([new(0, 0.90), new(1, 0.90), new(2, 0.90), new(3, 0.90)]);
        var c = SeedStatistics.Compare(left, right);
        Assert.StartsWith("not resolved with 4 seeds (~", c.Resolution);
        Assert.Equal(29, c.SeedsFor80PercentPower);   // t(27): (2.0518 + 0.8551)·1.8257 → 28.2 > 28; t(28): 28.1 ≤ 29
        Assert.Equal("contradicted", SeedStatistics.Compare(right, left, margin: 0.05).Resolution);
    }

    [Fact]
    public void The_score_grid_shows_every_score_of_every_row_with_its_interval()
    {
        var d = Table1;
        UnitResult Unit(RowDefinition row, int seed, double featureNorm, double? msp) => new(
            row.UnitRow, seed, row.Score, 0.9,
            new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
            {
                // ‖z‖ carries FPR95 both ways and DeLong's standard error (0.01 per seed); MSP is an older unit's, without them.
                ["svhn"] = msp is { } m
                    ? new Dictionary<string, OodMetrics> { ["feature_norm"] = new(featureNorm, 0.3, 0, 0, 0.2, 0.01), ["msp"] = new(m, 0.5, 0, 0) }
                    : new Dictionary<string, OodMetrics> { ["feature_norm"] = new(featureNorm, 0.3, 0, 0, 0.2, 0.01) },
            },
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var results = new[]
        {
            Unit(d.Row("l2-60"), 0, 0.90, 0.70), Unit(d.Row("l2-60"), 1, 0.92, null), Unit(d.Row("l2-60"), 2, 0.94, 0.80),
            Unit(d.Row("logitnorm-60"), 0, 0.85, 0.91),
        };
        var grid = PaperTable.Aggregate(d, results).FormatScoreGrid().Split('\n');
        string[] Cells(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = Cells(grid[1]);
        int l2 = Array.IndexOf(header, "L2 60 Mag (3)"), logitNorm = Array.IndexOf(header, "LogitNorm 60 (1)");
        Assert.True(l2 > 0 && logitNorm > 0, string.Join(" | ", header));
        string Cell(int block, string score, int column) => Cells(grid.Where(l => l.StartsWith(score + " ")).ElementAt(block))[column];
        // feature_norm over 3 seeds: 0.92 ± t(2, 0.975)·0.02/√3 = 4.302653·0.011547 = 0.0497, and the mean's test-set
        // half-width 1.959964·√(3·0.01²)/3 = 0.0113 (one seed's would be 0.0196); the row is judged by feature_norm (*).
        Assert.Equal("0.920 ± 0.050 [±0.011]*", Cell(0, "feature_norm", l2));
        // msp over the 2 seeds that have it: 0.75 ± 12.706205·0.070711/√2 = 0.635; no standard error recorded: no bracket.
        Assert.Equal("0.750 ± 0.635", Cell(0, "msp", l2));
        Assert.Equal("0.910*", Cell(0, "msp", logitNorm));
        Assert.Equal("—", Cell(0, "max_logit", l2));   // not recorded
        // FPR95, ID positive / OoD positive; the OoD-positive one is absent from units written before it was recorded.
        Assert.Equal("0.300 / 0.200", Cell(1, "feature_norm", l2));
        Assert.Equal("0.500 / —", Cell(1, "msp", logitNorm));
        Assert.StartsWith("every score on every model, svhn (far-OoD)", grid[0]);
        Assert.Contains(grid, l => l.StartsWith("FPR95 on svhn") && l.Contains("ID positive, as LogitNorm") && l.Contains("OoD positive, as OpenOOD v1.5"));
    }

    [Fact]
    public void The_test_set_error_of_a_mean_combines_the_seeds_and_one_seeds_stays_one_seeds()
    {
        // DeLong standard errors 0.01, 0.02, 0.02: the mean of three AUROCs has √(0.01² + 0.02² + 0.02²)/3 = 0.03/3 = 0.01
        // if the seeds' test-set errors were independent → ±1.959964·0.01 = 0.0196; one seed's, 1.959964·mean 0.016667
        // = 0.0326661, is what perfectly correlated seeds would give the mean: the two bound it.
        UnitResult Unit(int seed, double se) => new("l2-60", seed, "feature_norm", 0.9,
            new Dictionary<string, IReadOnlyDictionary<string, OodMetrics>>
                { ["svhn"] = new Dictionary<string, OodMetrics> { ["feature_norm"] = new(0.9 + 0.01 * seed, 0.3, 0, 0, 0.2, se) } },
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var s = ScoreSeeds.Of([Unit(0, 0.01), Unit(1, 0.02), Unit(2, 0.02)], "svhn", "feature_norm");
        Assert.Equal(0.0195996, s.MeanTestSetHalfWidth!.Value, 6);
        Assert.Equal(0.0326661, s.OneSeedTestSetHalfWidth!.Value, 6);
        // One seed: the mean is that seed, and both are its own.
        var one = ScoreSeeds.Of([Unit(1, 0.02)], "svhn", "feature_norm");
        Assert.Equal(one.OneSeedTestSetHalfWidth!.Value, one.MeanTestSetHalfWidth!.Value, 12);
        Assert.Null(one.MeanSeedHalfWidth);
    }

    [Fact]
    public void A_folder_plans_the_seeds_a_small_run_was_asked_for_and_a_reproduction_its_definitions_and_any_added()
    {
        var quick = ExperimentDefinition.LoadNamed("quick");
        using var temp = new TempDir();
        string Folder(ResultsManifest manifest)
        {
            var dir = Directory.CreateDirectory(temp.File($"{manifest.Definition}-{manifest.Seeds.Count}")).FullName;
            ResultsManifest.Record(dir, manifest);
            return dir;
        }
        var asked = new ResultsManifest("quick", "a quickstart over five seeds", "quick", [0, 1, 2, 3, 4], []);
        Assert.Equal([0, 1, 2, 3, 4], quick.PlannedIn(Folder(asked)).Seeds);
        Assert.Equal(quick.Seeds, quick.PlannedIn(Folder(asked with { Definition = "fmnist" })).Seeds);   // another definition's folder
        var oneShard = new ResultsManifest(Table1.Name, "one shard", Table1.Name, [3], []);
        Assert.Equal(Table1.Seeds, Table1.PlannedIn(Folder(oneShard)).Seeds);
        // Seeds a run added beyond a reproduction's own (--seeds) are planned after them.
        var more = new ResultsManifest(Table1.Name, "more seeds", Table1.Name, [3, 20, 21], []);
        Assert.Equal([.. Table1.Seeds, 20, 21], Table1.PlannedIn(Folder(more)).Seeds);
        Assert.Equal(quick.Seeds, quick.PlannedIn(temp.Path).Seeds);   // no manifest
    }

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
        Assert.Equal((new Spread(0.900, 0.980, (0.970 + 0.980 + 0.900) / 3), 3), (row.Own("svhn").Auroc.Spread, row.Own("svhn").Auroc.Count));
        Assert.Equal(12, row.MissingSeeds.Count);
        Assert.Null(table.Rows.Single(r => r.Definition.Name == "l2-350").Own("svhn").Auroc.Spread);

        var verdicts = table.Judge(Bands);
        Assert.Equal(Verdict.Outside, verdicts.Single(v => v.Band.Row == "l2-60" && v.Band.Ood == "svhn").Verdict);   // 0.95 < 0.963
        Assert.Equal(Verdict.Within, verdicts.Single(v => v.Band.Row == "l2-60" && v.Band.Ood == "cifar100").Verdict);
        Assert.Equal(Verdict.Missing, verdicts.Single(v => v.Band.Row == "l2-350" && v.Band.Ood == "svhn").Verdict);
        var claims = table.JudgeClaims(Bands).ToDictionary(c => c.Claim.Id, c => c.Verdict);
        Assert.Equal(Verdict.Missing, claims["l2-beats-logitnorm-far"]);   // 0.950 < 0.960 on the means, but one shared seed: no test
        Assert.Equal(Verdict.Missing, claims["longer-helps-near"]);

        Snapshot.Match(table.Format(Bands).Split('\n'));
    }

    [Fact]
    public void A_run_of_some_rows_keeps_their_configs_and_an_unknown_row_is_named()
    {
        var experiment = Table1.ToExperiment();
        var cut = experiment.OnlyRows(["no-l2-60", "l2-60"]);
        Assert.Equal(["l2-60", "no-l2-60"], cut.Rows.Select(r => r.Row));   // the definition's order
        Assert.Equal(experiment.Rows.Single(r => r.Row == "l2-60"), cut.Rows[0]);
        Assert.Equal(experiment.Seeds, cut.Seeds);
        var e = Assert.Throws<ConfigException>(() => experiment.OnlyRows(["l2-60", "l2-61"]));
        Assert.Equal("rows", e.Key);
        Assert.Contains("no row 'l2-61'", e.Message);
        Assert.Contains("logitnorm-350-plus", e.Message);
    }
}
