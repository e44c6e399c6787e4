using System.Diagnostics;
using System.Text.Json;
using Repro.Data;
using Repro.Metrics;
using Repro.Scores;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// Runs one (row, seed) unit end to end — train, score ID and every OoD set, compute metrics — and writes its
/// directory. Files are written into its partial folder (with a per-epoch checkpoint there, so a killed unit resumes;
/// Runs/ResultsFolder.cs) and the folder is renamed only once complete, so a finished unit is never half-written and
/// an existing one is never overwritten.
/// </summary>
public static class UnitRunner
{
    public static UnitResult Run(RunConfig config, string unitDir, DataSets data, IProgressSink? progress = null)
    {
        config.Validate();
        var unit = new UnitFolder(unitDir, config.Row, config.Seed);
        if (unit.IsFinished)
            throw new ReproException($"{unitDir} already holds a finished result; refusing to overwrite it (choose another output directory)");
        var wall = Stopwatch.StartNew();
        var device = Devices.Resolve(config.Device);
        var idInfo = DataCatalog.Info(config.InDistribution);
        var train = data.Get(config.InDistribution, Split.Train);
        var idTest = data.Get(config.InDistribution, Split.Test);
        var oodSets = config.OodSets.Select(name => data.Get(name, Split.Test)).ToList();

        // Work happens in the partial folder; its checkpoint lets a killed unit resume at its last finished epoch.
        var partial = unit.Partial;
        var checkpoint = new Checkpoint(unit.PartialCheckpoint);
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
            Provenance.Versions(), DataHashes(train, idTest, oodSets),
            DateTimeOffset.UtcNow, trained.Split);

        UnitFiles.Write(partial, config, result, oodScores.Prepend(idScores));
        // Rename first, then drop the checkpoint: a kill between the two leaves a finished unit with a stale checkpoint
        // (cleaned up by the next run), never a partial folder without one that would have to train again from scratch.
        Platform.CrashPoint.Here("unit.rename");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(unitDir))!);
        Directory.Move(partial, unitDir);
        ResultsFolder.RemoveLeftoverCheckpoint(unit);
        return result;
    }

    public static UnitResult Load(string unitDir)
    {
        var path = Path.Combine(unitDir, UnitFiles.Metrics);
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
}
