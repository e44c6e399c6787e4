using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Repro.Data;
using Repro.Metrics;
using Repro.Scores;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Runs;

/// <summary>
/// Runs one (row, seed) unit end to end — train, score ID and every OoD set, compute metrics — and writes its
/// directory. Files are written into "&lt;dir&gt;.partial" (with a per-epoch checkpoint there, so a killed unit resumes)
/// and the folder is renamed only once complete, so a finished unit is never half-written and an existing one is
/// never overwritten.
/// </summary>
public static class UnitRunner
{
    public const string MetricsFile = "metrics.json";
    public const string ConfigFile = "config.json";
    public const string CurveFile = "curve.csv";
    public const string ScoresFolder = "scores";
    public const string CheckpointFolder = "checkpoint";

    public static UnitResult Run(RunConfig config, string unitDir, DataSets data, IProgressSink? progress = null)
    {
        config.Validate();
        if (File.Exists(Path.Combine(unitDir, MetricsFile)))
            throw new ReproException($"{unitDir} already holds a finished result; refusing to overwrite it (choose another output directory)");
        var wall = Stopwatch.StartNew();
        var device = Devices.Resolve(config.Device);
        var idInfo = DataCatalog.Info(config.InDistribution);
        var train = data.Get(config.InDistribution, Split.Train);
        var idTest = data.Get(config.InDistribution, Split.Test);
        var oodSets = config.OodSets.Select(name => data.Get(name, Split.Test)).ToList();

        // Work happens in "<dir>.partial"; its checkpoint lets a killed unit resume at its last finished epoch.
        var partial = unitDir.TrimEnd('/') + ".partial";
        var checkpoint = new Checkpoint(Path.Combine(partial, CheckpointFolder));
        Directory.CreateDirectory(checkpoint.Directory);
        using var trained = Trainer.Train(config, train, device, progress, checkpoint);
        var idScores = Evaluator.Score(trained.Model, idTest, idInfo, device, config.EvalBatchSize);
        var oodScores = oodSets.Select(set => Evaluator.Score(trained.Model, set, idInfo, device, config.EvalBatchSize)).ToList();

        var ood = oodScores.ToDictionary(
            o => o.DataSet,
            o => (IReadOnlyDictionary<string, OodMetrics>)ScoreRegistry.All.ToDictionary(
                s => s.Name, s => OodMetrics.Compute(idScores.Scores[s.Name], o.Scores[s.Name])));
        var result = new UnitResult(
            config.Row, config.Seed, config.PrimaryScore,
            Accuracy.Compute(idScores.Predictions, idScores.Labels),
            ood, trained.Curve, trained.TrainSeconds, wall.Elapsed.TotalSeconds, Devices.Describe(device),
            Versions(), DataHashes(train, idTest, oodSets),
            DateTimeOffset.UtcNow);

        Directory.CreateDirectory(Path.Combine(partial, ScoresFolder));
        File.WriteAllText(Path.Combine(partial, ConfigFile), config.ToJson());
        File.WriteAllText(Path.Combine(partial, CurveFile), CurveCsv(trained.Curve));
        foreach (var s in oodScores.Prepend(idScores))
            File.WriteAllText(Path.Combine(partial, ScoresFolder, $"{s.DataSet}.csv"), ScoresCsv(s));
        File.WriteAllText(Path.Combine(partial, MetricsFile), JsonSerializer.Serialize(result, RunConfig.Json));
        Directory.Delete(checkpoint.Directory, recursive: true);   // the finished unit keeps scores, not weights
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(unitDir))!);
        Directory.Move(partial, unitDir);
        return result;
    }

    public static UnitResult Load(string unitDir)
    {
        var path = Path.Combine(unitDir, MetricsFile);
        try
        {
            return JsonSerializer.Deserialize<UnitResult>(File.ReadAllText(path), RunConfig.Json)
                   ?? throw new DataFormatException(path, "a unit result object", "null");
        }
        catch (JsonException e) { throw new DataFormatException(path, "a unit result (metrics.json)", $"invalid JSON: {e.Message}"); }
    }

    private static Dictionary<string, string> DataHashes(ImageSet train, ImageSet idTest, IEnumerable<ImageSet> oodSets)
    {
        var hashes = new Dictionary<string, string> { [$"{train.Name}/train"] = train.ContentHash(), [$"{idTest.Name}/test"] = idTest.ContentHash() };
        foreach (var set in oodSets) hashes[$"{set.Name}/test"] = set.ContentHash();
        return hashes;
    }

    public static IReadOnlyDictionary<string, string> Versions() => new Dictionary<string, string>
    {
        ["repro"] = typeof(UnitRunner).Assembly.GetName().Version?.ToString() ?? "?",
        ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
        ["libtorch"] = __version__,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["mallocTuned"] = Platform.NativeAllocator.Tuned.ToString(),
    };

    private static string CurveCsv(IEnumerable<EpochRecord> curve)
    {
        var sb = new StringBuilder("epoch,lr,loss,train_accuracy,seconds,images_per_second\n");
        foreach (var r in curve)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.LearningRate:R},{r.Loss:R},{r.Accuracy:R},{r.Seconds:F3},{r.ImagesPerSecond:F1}"));
        return sb.ToString();
    }

    /// <summary>One row per sample: index, label, predicted class, then one column per registered score.</summary>
    private static string ScoresCsv(SampleScores s)
    {
        var names = s.Scores.Keys.ToList();
        var sb = new StringBuilder("index,label,prediction," + string.Join(',', names) + "\n");
        for (int i = 0; i < s.Labels.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{i},{s.Labels[i]},{s.Predictions[i]}");
            foreach (var n in names) sb.Append(',').Append(s.Scores[n][i].ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
