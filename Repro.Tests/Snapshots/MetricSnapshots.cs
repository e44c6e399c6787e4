using System.Globalization;
using Repro.Metrics;
using Repro.Runs;
using Repro.Tests.Training;
using Snapshooter.Xunit3;
using Xunit;

namespace Repro.Tests.Snapshots;

/// <summary>
/// Metric snapshots (Snapshooter.Xunit; Verify.Xunit's core package is not served by the registry here). Values are
/// rounded so a snapshot changes only when a result really moves; the .snap files are JSON, readable in a PR diff.
/// </summary>
[Collection(TorchCollection.Name)]
public class MetricSnapshots
{
    private static double R(double v) => Math.Round(v, 4);
    private static object Rounded(OodMetrics m) => new
    {
        auroc = R(m.Auroc), fpr95 = R(m.Fpr95), auprIn = R(m.AuprIn), auprOut = R(m.AuprOut),
        fpr95OodPositive = R(m.Fpr95OodPositive!.Value), aurocSe = R(m.AurocSe!.Value),
    };

    [Fact]
    public void Metrics_of_fixed_score_vectors()
    {
        // Deterministic, well-spread vectors with ties: ID ~ shifted up, OoD ~ lower, both on a coarse grid.
        double[] id = Enumerable.Range(0, 200).Select(i => Math.Round(Math.Sin(i * 0.7) + 1.0, 1)).ToArray();
        double[] ood = Enumerable.Range(0, 150).Select(i => Math.Round(Math.Cos(i * 1.3) * 0.8 + 0.3, 1)).ToArray();
        Snapshot.Match(new
        {
            separated = Rounded(OodMetrics.Compute(id, ood)),
            reversed = Rounded(OodMetrics.Compute(ood, id)),
            identical = Rounded(OodMetrics.Compute(id, id)),
        });
    }

    [Fact]
    public void Metrics_of_a_tiny_deterministic_cpu_training_run()
    {
        using var dir = new TempDir();
        var unit = Path.Combine(dir.Path, "l2", "seed-1");
        var result = UnitRunner.Run(TinyRun.Config(epochs: 2), unit, TinyRun.Data);

        // Anyone can recompute the metrics from the per-sample score files: do it here.
        var idNorms = ReadColumn(Path.Combine(unit, "scores", "fashion-mnist.csv"), "feature_norm");
        var oodNorms = ReadColumn(Path.Combine(unit, "scores", "mnist.csv"), "feature_norm");
        Assert.Equal(result.Primary("mnist").Auroc, Auroc.Compute(idNorms, oodNorms), 12);
        Assert.Equal(10_000, idNorms.Length);

        // The folder is complete (no .partial left), reloads as written, and is never overwritten by a second run.
        Assert.False(Directory.Exists(unit + ".partial"));
        Assert.Equal(result.Accuracy, Assert.Single(Repro.Runs.ResultsFolder.LoadFinished(dir.Path)).Accuracy);
        var metricsBefore = File.ReadAllText(Path.Combine(unit, UnitFiles.Metrics));
        Assert.Contains("refusing to overwrite", Assert.Throws<ReproException>(() => UnitRunner.Run(TinyRun.Config(epochs: 2), unit, TinyRun.Data)).Message);
        Assert.Equal(metricsBefore, File.ReadAllText(Path.Combine(unit, UnitFiles.Metrics)));

        Snapshot.Match(new
        {
            accuracy = R(result.Accuracy),
            curve = result.Curve.Select(c => new { c.Epoch, c.LearningRate, loss = R(c.Loss), accuracy = R(c.Accuracy) }),
            ood = result.Ood.ToDictionary(o => o.Key, o => o.Value.ToDictionary(s => s.Key, s => Rounded(s.Value))),
            dataHashes = result.DataHashes,
        });
    }

    private static double[] ReadColumn(string csv, string column)
    {
        var lines = File.ReadAllLines(csv);
        int index = Array.IndexOf(lines[0].Split(','), column);
        Assert.True(index >= 0, $"{csv} has no column {column}");
        return lines.Skip(1).Select(l => double.Parse(l.Split(',')[index], CultureInfo.InvariantCulture)).ToArray();
    }
}
