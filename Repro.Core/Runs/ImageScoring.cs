using Repro.Platform;
using System.Diagnostics;
using System.Text.Json;
using Repro.Data;
using Repro.Metrics;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// What `repro score UNIT --images DIR` produced: the decoded folder, every registered score of each of its images and
/// of the unit's ID test set (scored the same way, in this process), and per score the detection metrics of the images
/// against that ID test set (ID positive: AUROC 0.5 = indistinguishable from it, 1 = every image scored below every ID
/// test image).
/// </summary>
public sealed record ImageScores(ImageFolderSet Folder, SampleScores Images, SampleScores IdTest,
    IReadOnlyDictionary<string, OodMetrics> Metrics, ScoreCost Cost, double DecodeSeconds, string OutDir);

/// <summary>The summary.json `repro score` writes beside its scores.csv.</summary>
public sealed record ImageScoresSummary(
    string Unit, string Row, int Seed, string Images, string InDistribution, int Channels, int Side,
    int Scored, int ImageFiles, IReadOnlyList<SkippedImage> Skipped, int Ignored, IReadOnlyList<string> Classes,
    string IdTest, int IdTestCount, IReadOnlyDictionary<string, OodMetrics> Metrics,
    IReadOnlyDictionary<string, double>? IdTestMaxDifference, ScoreCost ScoreCost, double DecodeSeconds, double WallSeconds,
    string Device, IReadOnlyDictionary<string, string> Versions, DateTimeOffset Finished);

/// <summary>
/// Scores a user's folder of images with a finished unit's model, exactly as the unit scored its own test sets
/// (<see cref="UnitRunner.ScoreEverySet"/>: the fitted scores fit on one pass over the images the unit trained on, then
/// every registered score), and writes scores.csv and summary.json into the output folder — summary.json last, as
/// what marks it finished; a finished output is never overwritten.
/// </summary>
public static class ImageScoring
{
    public const string ScoredFolder = "scored", ScoresFile = "scores.csv", SummaryFile = "summary.json";

    /// <summary>&lt;unit&gt;/scored/&lt;DIR's name&gt;.</summary>
    public static string DefaultOut(string unitDir, string imagesDir)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(imagesDir)));
        return Path.Combine(unitDir, ScoredFolder, name.Length > 0 ? name : "root");
    }

    public static ImageScores Run(string unitDir, string imagesDir, string? outDir, DataSets data, string device = "auto",
        bool strict = false, Action<string>? log = null)
    {
        log ??= _ => { };
        var wall = Stopwatch.StartNew();
        outDir ??= ResultsFolder.RequireInside(unitDir, DefaultOut(unitDir, imagesDir));
        var summaryPath = Path.Combine(outDir, SummaryFile);
        if (File.Exists(summaryPath))
            throw new ReproException($"{outDir} already holds a finished scoring ({SummaryFile}); refusing to overwrite it (choose another output folder)");
        var torchDevice = Devices.Resolve(device);
        var (config, model) = UnitModel.Load(unitDir, torchDevice);
        using var _ = model;
        var unitResult = UnitFiles.ReadResult(unitDir);
        var idInfo = DataCatalog.Info(config.InDistribution);

        var clock = Stopwatch.StartNew();
        var folder = ImageFolder.Load(imagesDir, idInfo.Channels, idInfo.Side, strict);
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        log($"decoded {folder.Images.Count:N0} images from {imagesDir} as {idInfo.Channels}×{idInfo.Side}×{idInfo.Side} " +
            $"({(idInfo.Channels == 1 ? "grey" : "RGB")}, as {idInfo.Name}) in {decodeSeconds:F1} s");

        clock.Restart();
        var train = data.Get(config.InDistribution, Split.Train);
        var idTest = UnitRunner.TestSet(data, config, config.InDistribution);
        bool same = RequireSameData(unitDir, unitResult, $"{train.Name}/train", train) & RequireSameData(unitDir, unitResult, $"{idTest.Name}/test", idTest);
        log($"loaded {config.InDistribution} (train {train.Count:N0}, test {idTest.Count:N0}" +
            $"{(same ? "; the unit's own, by SHA-256" : "; the unit recorded no hashes to check them by")}) in {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        var (id, sets, cost, _, _) = UnitRunner.ScoreEverySet(model, config, train, idTest, [folder.Images], torchDevice, keepFeatures: false);
        var images = sets[0];
        log($"scored on {Devices.Describe(torchDevice)} in {clock.Elapsed.TotalSeconds:F1} s: the ID training pass over the " +
            $"{config.TrainingSplit(train.Count).Trained.Length:N0} images the unit trained on {cost.IdTrainPass:F1} s, the fits " +
            $"{cost.Fit.Values.Sum():F1} s, then {idTest.Count + folder.Images.Count:N0} images (ID test + yours) through the model and every score " +
            $"(the scores alone {cost.Score.Values.Sum():F1} s)");
        var difference = RecordedDifference(unitDir, id);
        if (difference is not null)
            log(difference.Values.All(d => d == 0)
                ? $"the ID test scores equal the unit's own {UnitFiles.ScoresFolder}/{id.DataSet}.csv, every score of every image"
                : $"the ID test scores differ from the unit's own {UnitFiles.ScoresFolder}/{id.DataSet}.csv by up to " +
                  $"{difference.Values.Max():G3} (another device or CPU mode than the unit was scored on?)");
        var metrics = UnitRunner.DetectionMetrics(id, images);

        Directory.CreateDirectory(outDir);
        // Each image by its path (relative to DIR, '/'-separated) and class (its subfolder, empty when none; label −1).
        AtomicFile.WriteAllText(Path.Combine(outDir, ScoresFile), UnitFiles.ScoresCsv(images, ["path", "class"],
            i => [folder.Paths[i], images.Labels[i] >= 0 ? folder.Classes[(int)images.Labels[i]] : ""]));
        var summary = new ImageScoresSummary(
            Path.GetFullPath(unitDir), config.Row, config.Seed, Path.GetFullPath(imagesDir), config.InDistribution, idInfo.Channels, idInfo.Side,
            folder.Images.Count, folder.Candidates, folder.Skipped, folder.Ignored, folder.Classes,
            $"{idTest.Name}/test", idTest.Count, metrics, difference, cost, decodeSeconds, wall.Elapsed.TotalSeconds,
            Devices.Describe(torchDevice), Provenance.Versions(), DateTimeOffset.UtcNow);
        AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, JsonFiles.Options));
        return new ImageScores(folder, images, id, metrics, cost, decodeSeconds, outDir);
    }

    /// <summary>The fitted scores must learn from the data the unit trained on: a different copy is refused. False when the unit recorded no hash.</summary>
    private static bool RequireSameData(string unitDir, UnitResult unit, string key, ImageSet set)
    {
        if (!unit.DataHashes.TryGetValue(key, out var recorded)) return false;
        if (recorded != set.ContentHash())
            throw new ReproException($"{key} here (SHA-256 {set.ContentHash()[..12]}…) is not the data the unit {unitDir} was made with " +
                                     $"({recorded[..12]}…); point ${DataPaths.EnvironmentVariable} at that copy");
        return true;
    }

    /// <summary>Per score, the largest |difference| between the ID test scores computed here and the unit's own scores/&lt;set&gt;.csv (0 on the device and mode that made it).</summary>
    private static Dictionary<string, double>? RecordedDifference(string unitDir, SampleScores id)
    {
        if (!File.Exists(UnitFiles.ScoresPath(unitDir, id.DataSet))) return null;
        var recorded = UnitFiles.ReadScores(unitDir, id.DataSet);
        if (recorded.Labels.Length != id.Labels.Length) return null;
        return id.Scores.Where(kv => recorded.Scores.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key,
            kv => kv.Value.Zip(recorded.Scores[kv.Key], (a, b) => Math.Abs(a - b)).DefaultIfEmpty().Max());
    }
}
