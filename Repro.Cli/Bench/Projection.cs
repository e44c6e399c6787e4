using Repro.Experiments;
using Repro.Model;
using Repro.Training;

namespace Repro.Cli.Bench;

/// <summary>
/// How long a definition takes on the measured device: every trained row's seeds × epochs × trained images at the best
/// rate measured for a network like the row's (same width, spectral norm, shortcut and activation) at the row's batch
/// size and at the precision the row trains in (its config's `precision`: a bf16 rate never projects an fp32 row), then
/// × <see cref="EvaluationFactor"/> for evaluation, loading and checkpoints.
/// </summary>
public static class Projection
{
    /// <summary>A unit's wall ÷ its training time, measured on the fmnist units on an H100 (docs/performance.md).</summary>
    public const double EvaluationFactor = 1.05;

    /// <summary>Training-set sizes of the in-distribution sets a definition can train on.</summary>
    private static readonly IReadOnlyDictionary<string, int> TrainingImages = new Dictionary<string, int>
    {
        ["cifar10"] = 50_000, ["fashion-mnist"] = 60_000, ["fashion-mnist-known6"] = 36_000,
    };

    private static string Network(RunConfig c) => $"{c.Width}/{c.SpectralNorm}/{c.Shortcut}/{c.Activation}";

    public static string Format(ExperimentDefinition definition, IReadOnlyList<StepTiming> timings)
    {
        var experiment = definition.ToExperiment();
        var byRow = definition.TrainedRows.Select(definition.ConfigFor).ToList();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| row | trains in | epochs × seeds | batch | best measured | img/s | hours |");
        sb.AppendLine("|---|---|---:|---:|---|---:|---:|");
        double total = 0;
        bool complete = true;
        foreach (var row in byRow)
        {
            int all = TrainingImages.GetValueOrDefault(row.InDistribution);
            int images = row.TrainSubset ?? all - (int)Math.Floor(row.ValidationFraction * all);
            // Timings with the data pipeline are what an epoch costs; synthetic-batch ones only when there are none.
            var like = timings.Where(t => Network(definition.ConfigFor(definition.Row(t.Row))) == Network(row) && t.BatchSize == row.BatchSize
                                          && t.Precision == row.Precision).ToList();
            var precision = row.Precision.Name();
            var best = (like.Any(t => t.WithData) ? like.Where(t => t.WithData) : like).MaxBy(t => t.ImagesPerSecond);
            if (best is null || images == 0)
            {
                complete = false;
                sb.AppendLine($"| {row.Row} | {precision} | {row.Epochs} × {experiment.Seeds.Count} | {row.BatchSize} | not timed | — | — |");
                continue;
            }
            double hours = (double)row.Epochs * experiment.Seeds.Count * images / best.ImagesPerSecond / 3600 * EvaluationFactor;
            total += hours;
            sb.AppendLine($"| {row.Row} | {precision} | {row.Epochs} × {experiment.Seeds.Count} | {row.BatchSize} | {best.Row}, {best.Label} | {best.ImagesPerSecond:F0} | {hours:F2} |");
        }
        sb.AppendLine($"\nProjected `{definition.Name}` on {timings.Select(t => t.Device).FirstOrDefault() ?? "—"}: **{total:F1} h**" +
                      $" at the precision each row trains in (× {EvaluationFactor} for evaluation and checkpoints)" +
                      $"{(complete ? "" : "; rows not timed at their batch size and precision are left out")}.");
        return sb.ToString();
    }
}
