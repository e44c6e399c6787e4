using Repro.Data;
using Repro.Experiments;
using Repro.Training;
using TorchSharp;
using Xunit;

namespace Repro.Tests.Training;

[Collection(TorchCollection.Name)]
public class ResumeTests
{
    /// <summary>Simulates a kill: throws once the given epoch has been reported (its checkpoint is not yet written).</summary>
    private sealed class KillAfter(int epoch) : IProgressSink
    {
        public void Step(int e, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond) { }
        public void EpochDone(EpochRecord record, int epochs)
        {
            if (record.Epoch == epoch) throw new OperationCanceledException($"killed after epoch {epoch}");
        }
    }

    private static float[][] Weights(TrainedModel t) => t.Model.state_dict().Values.Select(p => p.cpu().to_type(torch.ScalarType.Float32).data<float>().ToArray()).ToArray();

    [Fact]
    public void Resumed_training_ends_identical_to_an_uninterrupted_run()
    {
        var config = TinyRun.Config(epochs: 3) with { TrainSubset = 256, Milestones = [2], SpectralNorm = true };
        var train = TinyRun.Data.Get("fashion-mnist", Split.Train);
        using var uninterrupted = Trainer.Train(config, train, torch.CPU);

        using var dir = new TempDir();
        var checkpoint = new Checkpoint(dir.Path);
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(config, train, torch.CPU, new KillAfter(2), checkpoint));
        Assert.Equal(1, checkpoint.LatestEpoch());   // epoch 2 was killed before its checkpoint
        using var resumed = Trainer.Train(config, train, torch.CPU, null, checkpoint);

        Assert.Equal(uninterrupted.Curve.Select(r => r.Loss), resumed.Curve.Select(r => r.Loss));
        Assert.Equal(Weights(uninterrupted), Weights(resumed));
        Assert.Equal(3, checkpoint.LatestEpoch());
    }

    [Fact]
    public void A_checkpoint_from_another_config_is_refused_naming_the_keys()
    {
        var config = TinyRun.Config(epochs: 2) with { TrainSubset = 128 };
        var train = TinyRun.Data.Get("fashion-mnist", Split.Train);
        using var dir = new TempDir();
        var checkpoint = new Checkpoint(dir.Path);
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(config, train, torch.CPU, new KillAfter(2), checkpoint));
        var e = Assert.Throws<ReproException>(() => Trainer.Train(config with { LearningRate = 0.05 }, train, torch.CPU, null, checkpoint));
        Assert.Contains("learningRate: 0.1 → 0.05", e.Message);
    }

    [Fact]
    public void Shards_partition_the_units()
    {
        var experiment = Presets.Fmnist;
        var all = experiment.Units().Select(u => (u.Row, u.Seed)).ToList();
        var shards = Enumerable.Range(1, 4).Select(i => ExperimentRunner.Shard(experiment, i, 4).Select(u => (u.Row, u.Seed)).ToList()).ToList();
        Assert.Equal(all.Count, shards.Sum(s => s.Count));
        Assert.Equal(all.OrderBy(x => x), shards.SelectMany(s => s).OrderBy(x => x));
        Assert.Throws<ConfigException>(() => ExperimentRunner.Shard(experiment, 5, 4));
    }

    [Fact]
    public void A_finished_unit_with_other_hyperparameters_is_refused_not_mixed()
    {
        using var dir = new TempDir();
        var experiment = Presets.Quick;
        var unit = experiment.Units().First();
        var unitDir = Path.Combine(dir.Path, Experiment.UnitPath(unit));
        Directory.CreateDirectory(unitDir);
        File.WriteAllText(Path.Combine(unitDir, Runs.UnitFiles.Config), (unit with { Epochs = 99 }).ToJson());
        File.WriteAllText(Path.Combine(unitDir, Runs.UnitFiles.Metrics), "{}");
        var e = Assert.Throws<ReproException>(() =>
            ExperimentRunner.Run(experiment, dir.Path, TinyRun.Data, _ => IProgressSink.Silent, _ => { }));
        Assert.Contains("epochs: 99 → 3", e.Message);
    }
}
