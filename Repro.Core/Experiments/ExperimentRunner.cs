using Repro.Data;
using Repro.Runs;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>Runs an experiment's units into one results folder, skipping units already finished there.</summary>
public static class ExperimentRunner
{
    /// <summary>Every finished unit under a results folder (any row, any seed).</summary>
    public static IReadOnlyList<UnitResult> LoadFinished(string resultsDir)
    {
        if (!Directory.Exists(resultsDir)) throw new ReproException($"results folder {resultsDir} does not exist");
        return Directory.EnumerateFiles(resultsDir, UnitRunner.MetricsFile, SearchOption.AllDirectories)
            .Where(path => !Path.GetDirectoryName(path)!.EndsWith(".partial"))
            .Order(StringComparer.Ordinal)
            .Select(path => UnitRunner.Load(Path.GetDirectoryName(path)!))
            .ToList();
    }

    public static IReadOnlyList<UnitResult> Run(Experiment experiment, string resultsDir, DataSets data,
        Func<RunConfig, IProgressSink> progress, Action<string> log)
    {
        var units = experiment.Units().ToList();
        var results = new List<UnitResult>();
        foreach (var (unit, i) in units.Select((u, i) => (u, i)))
        {
            var dir = Path.Combine(resultsDir, Experiment.UnitPath(unit));
            if (File.Exists(Path.Combine(dir, UnitRunner.MetricsFile)))
            {
                log($"[{i + 1}/{units.Count}] {unit.Row} seed {unit.Seed}: already finished in {dir}, skipped");
                results.Add(UnitRunner.Load(dir));
                continue;
            }
            log($"[{i + 1}/{units.Count}] {unit.Row} seed {unit.Seed}: width {unit.Width}, {unit.Epochs} epochs, batch {unit.BatchSize}, " +
                $"loss {unit.Loss}, feature norm {unit.FeatureNorm}, {unit.Activation}");
            var result = UnitRunner.Run(unit, dir, data, progress(unit));
            log($"    accuracy {result.Accuracy:P1}; " + string.Join("; ", result.Ood.Keys.Select(o =>
                $"{o} {result.PrimaryScore} AUROC {result.Primary(o).Auroc:F3}")) + $"; {result.WallSeconds:F0} s");
            results.Add(result);
        }
        return results;
    }
}
