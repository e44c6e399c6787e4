using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Experiments;

/// <summary>
/// Every kind of row the committed definitions train — Table 1's and the beyond-the-paper rows, with their shortcut,
/// split, temperature and schedule switches — shrunk to a CPU-sized unit (width 8, 512 Fashion-MNIST images, 2 epochs)
/// that must finish and write its unit.
/// </summary>
[Collection(TorchCollection.Name)]
public class EveryRowKindTrains
{
    private static readonly string[] Shrink =
    [
        "inDistribution=fashion-mnist-known6", "oodSets=[\"fashion-mnist-novel4\"]", "width=8", "epochs=2", "batchSize=64",
        "trainSubset=512", "testSubset=1000", "evalBatchSize=250", "device=cpu",
    ];

    /// <summary>One config per distinct recipe once shrunk (the 60- and 350-epoch rows are one kind).</summary>
    public static TheoryData<string> Kinds()
    {
        var repo = DataPaths.RepositoryRoot()!;
        var rows = new[] { "table1.json", "beyond.json" }
            .Select(f => ExperimentDefinition.Load(Path.Combine(repo, "experiments", f)))
            .SelectMany(d => d.TrainedRows.Select(r => d.ConfigFor(r).With(Shrink)));
        var kinds = rows.DistinctBy(c => (c with { Row = "x", Milestones = [], PrimaryScore = "msp" }).ToJson()).Select(c => c.ToJson());
        return new TheoryData<string>(kinds);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_shrunk_unit_of_each_row_kind_finishes_and_writes_its_unit(string json)
    {
        var config = RunConfig.FromJson(json, "row kind");
        using var dir = new TempDir();
        var unitDir = ResultsFolder.Unit(dir.Path, config).Dir;
        var result = UnitRunner.Run(config, unitDir, TinyRun.Data);

        Assert.True(File.Exists(Path.Combine(unitDir, UnitFiles.Metrics)));
        Assert.Equal(json, RunConfig.FromJson(File.ReadAllText(Path.Combine(unitDir, UnitFiles.Config)), "config.json").ToJson());
        Assert.Equal(2, result.Curve.Count);
        Assert.All(result.Curve, e => Assert.True(double.IsFinite(e.Loss)));
        Assert.InRange(result.Accuracy, 0, 1);
        Assert.Contains("fashion-mnist-novel4", result.Ood.Keys);

        // The split is recorded: 10% of the 36,000 known-class images held out where DDU's code is followed.
        var reloaded = UnitFiles.ReadResult(unitDir);
        Assert.NotNull(reloaded.TrainSplit);
        Assert.Equal((512, config.ValidationFraction > 0 ? 3_600 : 0), (reloaded.TrainSplit!.Trained, reloaded.TrainSplit.HeldOut));
        Assert.Matches("^[0-9a-f]{64}$", reloaded.TrainSplit.TrainIndicesSha256);
        if (config.LrSchedule == LearningRateSchedule.Cosine)
            Assert.True(result.Curve[1].LearningRate < result.Curve[0].LearningRate, "cosine anneals from one epoch to the next");
    }
}
