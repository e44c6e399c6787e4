using System.Diagnostics;
using System.Text.Json;
using Repro.Data;
using Repro.Metrics;
using Repro.Model;
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
        var unit = new UnitFolder(unitDir, config.Row, config.Seed);
        return RunStack([config], [unit], unit.PartialCheckpoint, data, progress)[0];
    }

    /// <summary>
    /// Trains seeds of one row as one stacked model (one seed: an ordinary run), checkpointing the stack in
    /// <paramref name="checkpointDir"/>, then scores and writes each seed's unit as a separate run's, recording the stack.
    /// </summary>
    /// <param name="saveFeatures">Also write each set's penultimate features as .npy (UnitFiles.FeaturesFolder).</param>
    public static IReadOnlyList<UnitResult> RunStack(IReadOnlyList<RunConfig> configs, IReadOnlyList<UnitFolder> units,
        string checkpointDir, DataSets data, IProgressSink? progress = null, bool saveFeatures = false)
    {
        foreach (var config in configs) config.Validate();
        foreach (var unit in units)
            if (unit.IsFinished)
                throw new ReproException($"{unit.Dir} already holds a finished result; refusing to overwrite it (choose another output directory)");
        var wall = Stopwatch.StartNew();
        var first = configs[0];
        var device = Devices.Resolve(first.Device);
        var train = data.Get(first.InDistribution, Split.Train);
        var idTest = TestSet(data, first, first.InDistribution);
        var oodSets = first.OodSets.Select(name => TestSet(data, first, name)).ToList();

        // Work happens in partial folders; the checkpoint lets a killed unit (or stack) resume at its last finished epoch.
        var checkpoint = new Checkpoint(checkpointDir);
        Directory.CreateDirectory(checkpoint.Directory);
        var trained = Trainer.TrainStack(configs, train, device, progress, checkpoint);
        var results = new List<UnitResult>();
        try
        {
            for (int k = 0; k < configs.Count; k++)
            {
                var (config, unit, model) = (configs[k], units[k], trained[k]);
                var heldOut = config.TuneOn is null ? [] : config.TrainingSplit(train.Count).HeldOut;
                var tuning = heldOut.Length > 0 ? new TuningSets(train.Select(heldOut, $"{train.Name}-held-out"), data.Get(config.TuneOn!, Split.Test)) : null;
                var (idScores, oodScores, cost, trainFeatures, tuned) = ScoreEverySet(model.Model, config, train, idTest, oodSets, device, saveFeatures, tuning);
                var result = new UnitResult(
                    config.Row, config.Seed, config.PrimaryScore,
                    Accuracy.Compute(idScores.Predictions, idScores.Labels),
                    oodScores.ToDictionary(o => o.DataSet, o => DetectionMetrics(idScores, o)),
                    model.Curve, model.TrainSeconds, wall.Elapsed.TotalSeconds, Devices.Describe(device),
                    Provenance.Versions(), DataHashes(train, idTest, oodSets),
                    DateTimeOffset.UtcNow, model.Split, configs.Count > 1 ? configs.Select(c => c.Seed).ToList() : null, cost) { Tuned = tuned };

                if (saveFeatures)
                {
                    if (trainFeatures is { } f) UnitFiles.WriteFeatures(unit.Partial, $"{train.Name}-train", f.Values, f.Dim);
                    foreach (var s in oodScores.Prepend(idScores)) UnitFiles.WriteFeatures(unit.Partial, s.DataSet, s.Features!, s.FeatureDim);
                }
                UnitModel.Save(unit.Partial, model.Model, config);
                UnitFiles.Write(unit.Partial, config, result, oodScores.Prepend(idScores));
                unit.Complete("unit.rename");
                results.Add(result);
            }
        }
        finally { foreach (var t in trained) t.Dispose(); }
        return results;
    }

    /// <summary>The test images of <paramref name="name"/> a unit of <paramref name="config"/> scores: all, or its testSubset.</summary>
    public static ImageSet TestSet(DataSets data, RunConfig config, string name) =>
        data.Get(name, Split.Test).EvenlySpaced(config.TestSubset);

    /// <summary>
    /// Every registered score on the ID test set and each other set — a unit's OoD sets, or a user's images
    /// (ImageScoring.cs) — every input normalized with the ID set's statistics; the fitted ones first fit on one pass
    /// over the images the model trained on (its split's trained part of <paramref name="train"/>, no augmentation).
    /// </summary>
    /// <param name="tuning">Held-out ID images and a held-out OoD set the tunable scores pick their setting on (<see cref="ScoreTuning"/>); null: OpenOOD's defaults.</param>
    public static (SampleScores Id, List<SampleScores> Ood, ScoreCost Cost, (float[] Values, int Dim)? TrainFeatures, IReadOnlyList<TunedScore>? Tuned) ScoreEverySet(
        ResNet18 model, RunConfig config, ImageSet train, ImageSet idTest, IReadOnlyList<ImageSet> oodSets,
        TorchSharp.torch.Device device, bool keepFeatures = false, TuningSets? tuning = null)
    {
        Platform.ReproducibleCpu.EnsureApplied();
        var idInfo = DataCatalog.Info(config.InDistribution);
        IReadOnlyList<IOodScore> scores = ScoreRegistry.Create();
        IReadOnlyList<TunedScore>? tuned = null;
        try
        {
            var clock = Stopwatch.StartNew();
            var fit = new Dictionary<string, double>();
            var fitted = scores.OfType<IFittedScore>().ToList();
            double idPass = 0;
            (float[] Values, int Dim)? trainFeatures = null;
            if (fitted.Count > 0 || keepFeatures)
            {
                var trainedImages = config.TrainingSplit(train.Count).TrainingImages(train);
                using var id = Evaluator.IdTraining(model, trainedImages, idInfo, device, config.EvalBatchSize);
                idPass = clock.Elapsed.TotalSeconds;
                if (keepFeatures)
                {
                    using var cpuFeatures = id.Features.to_type(TorchSharp.torch.ScalarType.Float32).cpu();
                    trainFeatures = (cpuFeatures.data<float>().ToArray(), (int)id.Features.shape[1]);
                }
                foreach (var score in fitted)
                {
                    clock.Restart();
                    score.Fit(id);
                    fit[score.Name] = clock.Elapsed.TotalSeconds;
                }
                if (tuning is not null)
                    (scores, tuned) = ScoreTuning.Tune(scores, candidate => (candidate as IFittedScore)?.Fit(id), candidates =>
                        (Evaluator.Score(model, tuning.HeldOutId, idInfo, device, config.EvalBatchSize, candidates).Scores,
                         Evaluator.Score(model, tuning.Ood, idInfo, device, config.EvalBatchSize, candidates).Scores));
            }
            var seconds = new Dictionary<string, double>();
            var idScores = Evaluator.Score(model, idTest, idInfo, device, config.EvalBatchSize, scores, seconds, keepFeatures);
            var oodScores = oodSets.Select(set => Evaluator.Score(model, set, idInfo, device, config.EvalBatchSize, scores, seconds, keepFeatures)).ToList();
            return (idScores, oodScores, new ScoreCost(idPass, fit, seconds), trainFeatures, tuned);
        }
        finally
        {
            foreach (var score in scores.OfType<IDisposable>()) score.Dispose();
        }
    }

    /// <summary>Per registered score, the detection metrics of <paramref name="other"/>'s scores against the ID test set's.</summary>
    public static IReadOnlyDictionary<string, OodMetrics> DetectionMetrics(SampleScores idTest, SampleScores other) =>
        ScoreRegistry.Names.ToDictionary(name => name, name => OodMetrics.Compute(idTest.Scores[name], other.Scores[name]));

    private static Dictionary<string, string> DataHashes(ImageSet train, ImageSet idTest, IEnumerable<ImageSet> oodSets)
    {
        var hashes = new Dictionary<string, string> { [$"{train.Name}/train"] = train.ContentHash(), [$"{idTest.Name}/test"] = idTest.ContentHash() };
        foreach (var set in oodSets) hashes[$"{set.Name}/test"] = set.ContentHash();
        return hashes;
    }
}

/// <summary>What the tunable scores pick their setting on: the unit's held-out training images and a held-out OoD set (RunConfig.TuneOn).</summary>
public sealed record TuningSets(ImageSet HeldOutId, ImageSet Ood);
