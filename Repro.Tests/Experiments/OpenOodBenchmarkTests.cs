using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Runs;
using Repro.Tests.Data;
using Repro.Tests.Faults;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>
/// experiments/openood-cifar10.json: Table 1's rows on OpenOOD v1.5's near and far sets, near/far as OpenOOD averages
/// them, the leaderboard beside; and the whole path at fixture scale — CIFAR-10 binaries and OpenOOD's folder layout
/// built from real Fashion-MNIST and MNIST images, `repro run` then `repro table`.
/// </summary>
[Collection(Training.TorchCollection.Name)]
public class OpenOodBenchmarkTests
{
    private static ExperimentDefinition Load(string name) =>
        ExperimentDefinition.Load(ExperimentDefinition.PathOf(DataPaths.RepositoryRoot()!, name));

    [Fact]
    public void Its_rows_are_table_1s_rows_on_openoods_sets_grouped_near_and_far()
    {
        var benchmark = Load("openood-cifar10");
        var table1 = Load("table1");
        Assert.Equal(table1.Rows.Select(r => (r.Name, r.Label, r.Score)), benchmark.Rows.Select(r => (r.Name, r.Label, r.Score)));
        foreach (var row in benchmark.TrainedRows)
            Assert.Equal((table1.ConfigFor(table1.Row(row.Name)) with { OodSets = [] }).ToJson(),
                         (benchmark.ConfigFor(row) with { OodSets = [], TuneOn = null }).ToJson());
        Assert.Equal("openood-val-tin", benchmark.ConfigFor(benchmark.Rows[0]).TuneOn);
        Assert.Equal(["openood-cifar100", "openood-tin"], benchmark.OodGroups["near-OoD"]);
        Assert.Equal(["openood-mnist", "openood-svhn", "openood-texture", "openood-places365"], benchmark.OodGroups["far-OoD"]);
        Assert.Equal([.. benchmark.OodSets.Keys, "near-OoD", "far-OoD"], benchmark.Columns.Keys);
        Assert.Empty(table1.OodGroups);   // one set per label: no group column

        var board = benchmark.Leaderboard!;
        Assert.Contains("results/cifar10.csv", board.Source);
        var t2f = board.Rows.Single(r => r.Training == "T2FNorm");
        Assert.Equal((92.79, 0.13, 96.98, 0.23), (t2f.Auroc["near-OoD"].Mean, t2f.Auroc["near-OoD"].Std, t2f.Auroc["far-OoD"].Mean, t2f.Auroc["far-OoD"].Std));
        Assert.Equal((92.33, 96.74), (board.Rows.Single(r => r.Training == "LogitNorm").Auroc["near-OoD"].Mean, board.Rows.Single(r => r.Training == "LogitNorm").Auroc["far-OoD"].Mean));
    }

    [Fact]
    public void Near_and_far_are_per_seed_means_over_their_sets_then_over_seeds()
    {
        // Two seeds; near = {a, b}, far = {c, d, e}. Seed 0: near (0.9 + 0.7)/2 = 0.8, far (0.6 + 0.9 + 0.9)/3 = 0.8.
        // Seed 1: near (0.8 + 0.8)/2 = 0.8, far (0.3 + 0.6 + 0.9)/3 = 0.6. So near 0.8 ± 0, far mean 0.7.
        // DeLong errors 0.03 and 0.04 on a, b: the near mean's is √(0.03² + 0.04²)/2 = 0.025.
        using var dir = new TempDir();
        var path = dir.File("g.json");
        File.WriteAllText(path, """
            { "name": "g", "version": 1, "source": "test", "seeds": [0, 1],
              "oodSets": { "mnist": "near-OoD", "fashion-mnist-novel4": "near-OoD", "openood-svhn": "far-OoD", "openood-tin": "far-OoD", "openood-mnist": "far-OoD" },
              "common": { "inDistribution": "fashion-mnist-known6", "oodSets": ["mnist", "fashion-mnist-novel4", "openood-svhn", "openood-tin", "openood-mnist"] },
              "sources": {}, "rows": [ { "name": "r", "label": "R", "score": "msp", "config": {} } ] }
            """);
        var d = ExperimentDefinition.Load(path);
        double[][] auroc = [[0.9, 0.7, 0.6, 0.9, 0.9], [0.8, 0.8, 0.3, 0.6, 0.9]];
        var sets = d.OodSets.Keys.ToList();
        var units = Enumerable.Range(0, 2).Select(s => new UnitResult("r", s, "msp", 0.9,
            sets.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => (IReadOnlyDictionary<string, OodMetrics>)new Dictionary<string, OodMetrics>
                { ["msp"] = new(auroc[s][x.i], 0.1 * (x.i + 1), 0, 0, AurocSe: x.i == 0 ? 0.03 : x.i == 1 ? 0.04 : 0.01) }),
            [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch)).ToList();
        var row = PaperTable.Aggregate(d, units).Rows.Single();

        Assert.Equal([0.8, 0.8], row.Own("near-OoD").Auroc.PerSeed.Select(v => Math.Round(v.Value, 12)));
        Assert.Equal([0.8, 0.6], row.Own("far-OoD").Auroc.PerSeed.Select(v => Math.Round(v.Value, 12)));
        Assert.Equal(0.15, row.Own("near-OoD").Fpr95.Mean, 12);                   // (0.1 + 0.2)/2 on both seeds
        Assert.Equal(0.025, row.Own("near-OoD").AurocStandardError.PerSeed[0].Value, 12);
        // A seed that lacks one of a group's sets is not averaged over the rest.
        var partial = units.Select(u => u.Seed == 1 ? u with { Ood = u.Ood.Where(kv => kv.Key != "openood-tin").ToDictionary() } : u).ToList();
        Assert.Equal([0], PaperTable.Aggregate(d, partial).Rows.Single().Own("far-OoD").Auroc.PerSeed.Select(v => v.Seed));
    }

    [Theory]
    [InlineData("\"leaderboard\": { \"source\": \"s\", \"rows\": [ { \"training\": \"T\", \"postprocessor\": \"P\", \"auroc\": { \"middle-OoD\": { \"mean\": 90, \"std\": 1 } } } ] }",
        "names 'middle-OoD', not one of the table's columns")]
    [InlineData("\"leaderboard\": { \"source\": \"s\", \"rows\": [ { \"training\": \"T\", \"postprocessor\": \"P\", \"auroc\": { \"far-OoD\": { \"mean\": 0.9, \"std\": -1 } } } ] }",
        "values are percentages")]
    [InlineData("\"leaderboard\": { \"source\": \"s\", \"rows\": [] }", "a leaderboard with a source and rows")]
    public void A_bad_leaderboard_is_refused_naming_the_file(string leaderboard, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("b.json");
        File.WriteAllText(path, "{ \"name\": \"b\", \"version\": 1, \"source\": \"test\", \"seeds\": [0], " +
                                "\"oodSets\": { \"mnist\": \"far-OoD\", \"fashion-mnist-novel4\": \"far-OoD\" }, " +
                                "\"common\": { \"inDistribution\": \"fashion-mnist-known6\", \"oodSets\": [\"mnist\", \"fashion-mnist-novel4\"] }, " +
                                "\"sources\": {}, \"rows\": [ { \"name\": \"r\", \"label\": \"R\", \"score\": \"msp\", \"config\": {} } ], " + leaderboard + " }");
        var e = Assert.ThrowsAny<ReproException>(() => ExperimentDefinition.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_fixture_scale_run_of_the_benchmark_shows_every_set_near_far_and_the_leaderboard()
    {
        using var data = new TempDir();
        using var results = new TempDir();
        WriteCifar10FromFashionMnist(Path.Combine(data.Path, DataCatalog.Cifar10.Name));
        var mnist = DataCatalog.Load("mnist", Split.Test);
        int SetIndex(string set) => DataCatalog.OpenOodLists.Keys.ToList().IndexOf(set);
        OpenOodFixture.Write(Path.Combine(data.Path, DataCatalog.OpenOodFolder), perSet: 40,
            (set, i) => mnist.Pixels.AsSpan((SetIndex(set) * 40 + i) * 784, 784).ToArray());

        var env = new Dictionary<string, string> { [DataPaths.EnvironmentVariable] = data.Path };
        string[] shrink = ["--set", "width=8", "--set", "trainSubset=4096", "--set", "testSubset=500", "--set", "epochs=2", "--set", "batchSize=64", "--set", "evalBatchSize=250"];
        using (var run = ReproProcess.StartCommand("dotnet", ["exec", ReproProcess.Dll, "run", "--definition", "openood-cifar10", "--seeds", "0",
                   "--rows", "l2-60,logitnorm-60", "--out", results.Path, "--device", "cpu", .. shrink], environment: env))
            Assert.True(run.Wait(TimeSpan.FromMinutes(8)) == 0, run.Output);

        var units = ResultsFolder.FindFinished(results.Path).Select(u => u.Result).ToList();
        Assert.Equal(["l2-60", "logitnorm-60"], units.Select(u => u.Row).Order());
        Assert.All(units, u => Assert.Equal(DataCatalog.OpenOodLists.Keys.Where(k => k != "openood-val-tin").Order(), u.Ood.Keys.Order()));
        // OpenOOD's parameter search on the unit's held-out images against val_tin: L2 60 holds 5,000 out, LogitNorm 60 none.
        var tuned = units.Single(u => u.Row == "l2-60").Tuned!;
        Assert.Equal(["fdbd", "ash_s", "scale", "nci"], tuned.Select(t => t.Score));
        Assert.Equal([2, 7, 7, 4], tuned.Select(t => t.Auroc.Count));
        Assert.All(tuned, t => Assert.Equal(t.Auroc.Values.Max(), t.Auroc[t.Setting]));
        Assert.Null(units.Single(u => u.Row == "logitnorm-60").Tuned);
        using var table = ReproProcess.StartCommand("dotnet", ["exec", ReproProcess.Dll, "table", "--definition", "openood-cifar10", "--from", results.Path], environment: env);
        Assert.True(table.Wait(TimeSpan.FromMinutes(2)) == 0, table.Output);
        foreach (var text in new[] { "near-OoD min", "far-OoD min", "T2FNorm", "92.79 ± 0.13", "every score on every model, near-OoD (mean of openood-cifar100, openood-tin)" })
            Assert.Contains(text, table.Output);

        // The near column is the mean of the unit's own two near sets, as printed (3 decimals).
        var l2 = units.Single(u => u.Row == "l2-60");
        double near = (l2.Ood["openood-cifar100"]["feature_norm"].Auroc + l2.Ood["openood-tin"]["feature_norm"].Auroc) / 2;
        var line = table.Output.Split('\n').First(l => l.StartsWith("L2 60 Mag", StringComparison.Ordinal));
        Assert.Contains(near.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), line);

        // The report: near and far beside every set in the table and the grid, the leaderboard under it.
        using var report = ReproProcess.StartCommand("dotnet", ["exec", ReproProcess.Dll, "report", results.Path], environment: env);
        Assert.True(report.Wait(TimeSpan.FromMinutes(3)) == 0, report.Output);
        var html = File.ReadAllText(Path.Combine(results.Path, "report.html"));
        foreach (var text in new[] { "near-OoD (mean of openood-cifar100, openood-tin) AUROC", "far-OoD (mean of openood-mnist, openood-svhn, openood-texture, openood-places365) AUROC",
                     "For comparison: published results", "92.79 ± 0.13", "data-ood=\"near-OoD\"", "data-ood=\"openood-places365\"" })
            Assert.Contains(text, html);
    }

    /// <summary>CIFAR-10's binary files, full size (5 × 10,000 training records, 10,000 test), from Fashion-MNIST's real
    /// images: each 28 × 28 centred in 32 × 32 and copied to the three channels, its label as the record's.</summary>
    private static void WriteCifar10FromFashionMnist(string dir)
    {
        var folder = Path.Combine(dir, DataCatalog.Cifar10Folder);
        Directory.CreateDirectory(folder);
        var train = DataCatalog.Load("fashion-mnist", Split.Train);
        var test = DataCatalog.Load("fashion-mnist", Split.Test);
        void Write(string file, ImageSet source, int first)
        {
            using var output = File.Create(Path.Combine(folder, file));
            var record = new byte[1 + CifarBinary.ImageSize];
            for (int i = first; i < first + DataCatalog.CifarRecordsPerBatch; i++)
            {
                Array.Clear(record);
                record[0] = (byte)source.Labels[i];
                for (int c = 0; c < 3; c++)
                for (int y = 0; y < 28; y++)
                    source.Pixels.AsSpan(i * 784 + y * 28, 28).CopyTo(record.AsSpan(1 + c * 1024 + (y + 2) * 32 + 2));
                output.Write(record);
            }
        }
        for (int b = 0; b < 5; b++) Write($"data_batch_{b + 1}.bin", train, b * DataCatalog.CifarRecordsPerBatch);
        Write("test_batch.bin", test, 0);
    }
}
