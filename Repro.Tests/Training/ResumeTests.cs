using Repro.Runs;
using Repro.Data;
using Repro.Model;
using Repro.Experiments;
using Repro.Training;
using TorchSharp;
using Xunit;

namespace Repro.Tests.Training;

[Collection(TorchCollection.Name)]
public class ResumeTests
{
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
    public void Restoring_keeps_the_optimizer_bound_to_the_live_parameters_with_their_momentum()
    {
        // TorchSharp's Module.load gives parameters new native handles on CUDA, and an optimizer holding the old ones
        // would step orphans (an H100 run failed so with TorchSharp's SGD). The checkpoint copies into the live tensors instead: same handles, momentum restored
        // on the parameters' device, and the next step moves the model's own weights.
        var config = TinyRun.Config() with { SpectralNorm = true };
        var info = DataCatalog.Info("fashion-mnist");
        torch.random.manual_seed(5);
        using var x = torch.randn(16, 1, 28, 28);
        using var y = torch.randint(0, 10, [16]);
        using var dir = new TempDir();
        var checkpoint = new Checkpoint(dir.Path);
        using (var model = new ResNet18(config.ModelSpecFor(info)))
        using (var optimizer = Trainer.CreateOptimizer(config, model))
        using (var generator = new torch.Generator(1))
        {
            var step = new TrainStep(model, Trainer.CreateLoss(config), optimizer);
            step.Run(x, y);
            step.Run(x, y);
            checkpoint.Save(1, [config], model, optimizer, [generator], [[]]);
        }

        using var fresh = new ResNet18(config.ModelSpecFor(info));
        using var freshOptimizer = Trainer.CreateOptimizer(config, fresh);
        using var freshGenerator = new torch.Generator(2);
        var handles = fresh.parameters().Select(p => p.Handle).ToList();
        checkpoint.Restore(1, [config], fresh, freshOptimizer, [freshGenerator]);
        Assert.Equal(handles, fresh.parameters().Select(p => p.Handle));
        var buffers = freshOptimizer.MomentumBuffers().ToList();
        Assert.Equal(fresh.named_parameters().Select(p => p.name), buffers.Select(b => b.Name));
        Assert.All(fresh.parameters().Zip(buffers), pb =>
        {
            Assert.Equal(pb.First.device.ToString(), pb.Second.Buffer.device.ToString());
            Assert.Equal(pb.First.shape, pb.Second.Buffer.shape);
            Assert.False(pb.Second.Buffer.eq(0).all().item<bool>());
        });

        var before = fresh.parameters().Select(p => p.detach().clone()).ToList();
        new TrainStep(fresh, Trainer.CreateLoss(config), freshOptimizer).Run(x, y);
        Assert.Contains(fresh.parameters().Zip(before), pb => !pb.First.eq(pb.Second).all().item<bool>());
        foreach (var t in before) t.Dispose();
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
        var experiment = ExperimentDefinition.Load(Path.Combine(DataPaths.RepositoryRoot()!, "experiments", "fmnist.json")).ToExperiment();
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
        var experiment = ExperimentDefinition.LoadNamed("quick").ToExperiment();
        var unit = experiment.Units().First();
        var unitDir = ResultsFolder.Unit(dir.Path, unit).Dir;
        Directory.CreateDirectory(unitDir);
        File.WriteAllText(Path.Combine(unitDir, Runs.UnitFiles.Config), (unit with { Epochs = 99 }).ToJson());
        File.WriteAllText(Path.Combine(unitDir, Runs.UnitFiles.Metrics), "{}");
        var e = Assert.Throws<ReproException>(() =>
            ExperimentRunner.Run(experiment, dir.Path, TinyRun.Data, _ => IProgressSink.Silent, _ => { }));
        Assert.Contains("epochs: 99 → 2", e.Message);
    }
}
