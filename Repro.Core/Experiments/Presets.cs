using Repro.Model;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>
/// The built-in experiments. Each has the paper's three contrasting rows on Fashion-MNIST → MNIST:
/// L2 (train-only normalization, scored by ‖z‖), No L2 (same network without it, scored by ‖z‖), and LogitNorm
/// (plain ReLU network, LogitNorm loss, scored by MSP as in Wei et al. 2022).
/// </summary>
public static class Presets
{
    /// <summary>
    /// The README's main job: all three rows on a 2-core CPU in under 10 minutes. That budget buys a width-16
    /// network and three epochs over 30,000 images (the last at lr 0.01); the measured effect needs width 64 and
    /// ~15 epochs (experiments/fmnist.json, a GPU budget), so the quickstart prints that run's committed reference
    /// (artifacts/reference/fmnist.json) beside its own.
    /// All rows at batch 128: at this budget batch 1024 would leave ~90 steps, too few to learn.
    /// </summary>
    public static Experiment Quick { get; } = new("quick",
        "CPU smoke-scale run of the three contrasting rows (width 16, 3 epochs on 30k Fashion-MNIST images)",
        Rows(width: 16, epochs: 3, l2Batch: 128, logitNormBatch: 128, milestones: [2], trainSubset: 30_000),
        Seeds: [0]);

    public static IReadOnlyList<Experiment> All { get; } = [Quick];

    public static Experiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ConfigException("preset", $"unknown preset '{name}'; known: {string.Join(", ", All.Select(e => e.Name))}");

    private static RunConfig[] Rows(int width, int epochs, int l2Batch, int logitNormBatch, int[] milestones, int? trainSubset)
    {
        var common = new RunConfig
        {
            InDistribution = "fashion-mnist", OodSets = ["mnist"], Width = width, Epochs = epochs,
            Milestones = milestones, TrainSubset = trainSubset,
        };
        // The paper's L2 and No-L2 models are DDU's `-mod` network: leaky ReLU with average-pooling shortcuts (spectral
        // normalization is left out at this CPU budget); its baseline LogitNorm is the plain ReLU ResNet18 of Wei et al.
        return
        [
            common with { Row = "l2", FeatureNorm = FeatureNormMode.TrainOnly, Activation = ActivationKind.LeakyRelu,
                          Shortcut = ShortcutKind.Avgpool, BatchSize = l2Batch, PrimaryScore = "feature_norm" },
            common with { Row = "no-l2", FeatureNorm = FeatureNormMode.None, Activation = ActivationKind.LeakyRelu,
                          Shortcut = ShortcutKind.Avgpool, BatchSize = l2Batch, PrimaryScore = "feature_norm" },
            common with { Row = "logitnorm", Loss = LossKind.Logitnorm, BatchSize = logitNormBatch, PrimaryScore = "msp" },
        ];
    }
}
