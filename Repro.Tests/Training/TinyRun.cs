using Repro.Data;
using Repro.Model;
using Repro.Training;

namespace Repro.Tests.Training;

/// <summary>
/// A CPU run small enough for the default test run: width 8, 2,048 real Fashion-MNIST images, evaluated in batches of 250.
/// </summary>
public static class TinyRun
{
    private static readonly Lazy<DataSets> Shared = new(() => new DataSets());
    public static DataSets Data => Shared.Value;

    public static RunConfig Config(string row = "l2", int epochs = 1) => new()
    {
        Row = row, InDistribution = "fashion-mnist", OodSets = ["mnist"], Width = 8, Epochs = epochs, BatchSize = 64,
        TrainSubset = 2048, FeatureNorm = FeatureNormMode.TrainOnly, Activation = ActivationKind.LeakyRelu,
        EvalBatchSize = 250, Device = "cpu", Seed = 1,
    };
}
