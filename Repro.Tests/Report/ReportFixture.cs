using System.Text.Json.Nodes;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Model;
using Repro.Runs;
using Repro.Scores;
using Repro.Training;

namespace Repro.Tests.Report;

/// <summary>
/// A results folder in the real on-disk format, without training: an experiment definition with the paper's numbers
/// and tolerance bands, and units whose scores are drawn from seeded normal distributions (the ‖z‖ separation of each
/// row set by hand) with metrics computed from those scores. Some units are left unfinished on purpose.
/// </summary>
public sealed class ReportFixture : IDisposable
{
    private readonly TempDir temp = new();
    public string Root => temp.Path;
    public string Results => Path.Combine(temp.Path, "results");
    public string DefinitionFile => temp.File("fixture.json");
    public string BandsFile => temp.File("fixture.bands.json");
    public static readonly int[] Seeds = [0, 1, 2];

    /// <summary>Rows and how far apart their ID and OoD ‖z‖ distributions are (in standard deviations), per OoD set.</summary>
    private static readonly (string Row, double Far, double Near)[] Rows = [("l2", 2.0, 0.8), ("no-l2", 0.2, 0.1), ("logitnorm", 1.2, 0.6)];

    public ReportFixture(bool complete = false)
    {
        File.WriteAllText(DefinitionFile, Definition().ToJsonString());
        File.WriteAllText(BandsFile, Bands().ToJsonString());
        var definition = ExperimentDefinition.Load(DefinitionFile);
        ResultsManifest.Record(Results, definition.ToExperiment().Manifest());
        foreach (var row in definition.Rows)
            foreach (var seed in Seeds)
            {
                // Left out unless complete: no-l2 seed 2 never ran; logitnorm seed 1 was interrupted after epoch 2.
                if (!complete && row.Name == "no-l2" && seed == 2) continue;
                var config = definition.ConfigFor(row) with { Seed = seed };
                var dir = ResultsFolder.Unit(Results, config).Dir;
                if (!complete && row.Name == "logitnorm" && seed == 1)
                {
                    var checkpoint = ResultsFolder.Unit(Results, config).PartialCheckpoint;
                    Directory.CreateDirectory(Path.Combine(checkpoint, "epoch-2"));
                    File.WriteAllText(Path.Combine(checkpoint, "latest"), "2");
                    continue;
                }
                WriteUnit(dir, config);
            }
    }

    private static void WriteUnit(string dir, RunConfig config)
    {
        var spec = Rows.Single(r => r.Row == config.Row);
        var random = new Random(1000 * config.Seed + Array.IndexOf(Rows, spec));
        var id = Scores(random, "fashion-mnist-known6", 600, shift: 0);
        var far = Scores(random, "mnist", 500, shift: -spec.Far * (1 + 0.15 * config.Seed));
        var near = Scores(random, "fashion-mnist-novel4", 400, shift: -spec.Near);
        var ood = new[] { far, near }.ToDictionary(o => o.DataSet, o => (IReadOnlyDictionary<string, OodMetrics>)
            id.Scores.Keys.ToDictionary(s => s, s => OodMetrics.Compute(id.Scores[s], o.Scores[s])));
        var curve = Enumerable.Range(1, config.Epochs).Select(e => new EpochRecord(e,
            config.LearningRate * (e > config.Milestones[0] ? config.Gamma : 1), 2.0 / e + 0.01 * config.Seed, 1 - 0.5 / e, 10 + e, 5000)).ToList();
        var result = new UnitResult(config.Row, config.Seed, config.PrimaryScore, Accuracy.Compute(id.Predictions, id.Labels), ood, curve,
            curve.Sum(c => c.Seconds), curve.Sum(c => c.Seconds) + 5, "CPU (fixture)",
            new Dictionary<string, string> { ["commit"] = "fixture0000", ["torchsharp"] = "0.107.0.0", ["libtorch"] = "2.10.0" },
            new Dictionary<string, string> { ["fashion-mnist-known6/train"] = "aa11", ["fashion-mnist-known6/test"] = "bb22", ["mnist/test"] = "cc33" },
            new DateTimeOffset(2026, 11, 26, 12, config.Seed, 0, TimeSpan.Zero));
        UnitFiles.Write(dir, config, result, [id, far, near]);
    }

    /// <summary>Every registered score: ‖z‖ normal around 10 + shift; the others monotone in it, so every score ranks alike.</summary>
    private static SampleScores Scores(Random random, string set, int n, double shift)
    {
        var norms = Enumerable.Range(0, n).Select(_ => 10 + shift + Gaussian(random)).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 6)).ToArray();
        var predictions = labels.Select((l, i) => i % 7 == 0 ? (l + 1) % 6 : l).ToArray();
        var scores = ScoreRegistry.Names.ToDictionary(name => name, name => name switch
        {
            FeatureNormScore.ScoreName => norms,
            "msp" => norms.Select(z => 1 / (1 + Math.Exp(-(z - 9)))).ToArray(),
            _ => norms.Select(z => 2 * z).ToArray(),
        });
        return new SampleScores(set, labels, predictions, scores);
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static JsonObject Definition() => new()
    {
        ["name"] = "fixture", ["version"] = 1, ["source"] = "report test fixture",
        ["seeds"] = new JsonArray(Seeds.Select(s => (JsonNode)s).ToArray()),
        ["oodSets"] = new JsonObject { ["mnist"] = "far-OoD", ["fashion-mnist-novel4"] = "near-OoD" },
        ["common"] = new JsonObject
        {
            ["inDistribution"] = "fashion-mnist-known6", ["oodSets"] = new JsonArray("mnist", "fashion-mnist-novel4"),
            ["width"] = 8, ["epochs"] = 4, ["milestones"] = new JsonArray(3),
        },
        ["sources"] = new JsonObject { ["everything"] = "made up for the test" },
        ["rows"] = new JsonArray(
            Row("l2", "L2 Mag", "feature_norm", new JsonObject { ["featureNorm"] = "train-only", ["activation"] = "leaky-relu" }, 0.95, 0.80),
            Row("no-l2", "No L2 Mag", "feature_norm", new JsonObject { ["featureNorm"] = "none", ["activation"] = "leaky-relu" }, 0.65, 0.75),
            Row("logitnorm", "LogitNorm", "msp", new JsonObject { ["loss"] = "logitnorm" }, 0.90, 0.85)),
    };

    private static JsonObject Row(string name, string label, string score, JsonObject config, double far, double near) => new()
    {
        ["name"] = name, ["label"] = label, ["score"] = score, ["config"] = config,
        ["paper"] = new JsonObject
        {
            ["auroc"] = new JsonObject
            {
                ["mnist"] = new JsonObject { ["min"] = far - 0.03, ["max"] = far + 0.03, ["avg"] = far },
                ["fashion-mnist-novel4"] = new JsonObject { ["min"] = near - 0.02, ["max"] = near + 0.02, ["avg"] = near },
            },
            ["accuracy"] = 0.9,
        },
    };

    private static JsonObject Bands() => new()
    {
        ["format"] = 2, ["alpha"] = 0.05, ["definition"] = "fixture", ["version"] = 1, ["notes"] = "test bands",
        ["cells"] = new JsonArray(
            Band("l2", "auroc-avg", "mnist", 0.90, 1.0), Band("no-l2", "auroc-avg", "mnist", 0.4, 0.7),
            Band("logitnorm", "auroc-avg", "mnist", 0.95, 1.0), Band("l2", "accuracy-avg", null, 0.80, 0.90)),
        ["claims"] = new JsonArray(new JsonObject
        {
            ["id"] = "l2-beats-no-l2", ["text"] = "L2 Mag ≥ No L2 Mag on mnist", ["margin"] = 0.1,
            ["left"] = new JsonObject { ["row"] = "l2", ["ood"] = "mnist" }, ["right"] = new JsonObject { ["row"] = "no-l2", ["ood"] = "mnist" },
        }),
    };

    private static JsonObject Band(string row, string metric, string? ood, double low, double high) => new()
    {
        ["row"] = row, ["metric"] = metric, ["ood"] = ood, ["low"] = low, ["high"] = high, ["reason"] = $"fixture band for {row}",
    };

    public void Dispose() => temp.Dispose();
}
