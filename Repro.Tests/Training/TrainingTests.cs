using Repro.Data;
using Repro.Model;
using Repro.Training;
using TorchSharp;
using Xunit;

namespace Repro.Tests.Training;

[Collection(TorchCollection.Name)]
public class TrainingTests
{
    private sealed class EpochLiveCounts : IProgressSink
    {
        public List<long> Live { get; } = [];
        public void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond) { }
        public void EpochDone(EpochRecord record, int epochs) => Live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Cpu_training_repeats_exactly_with_the_same_seed_and_differs_with_another()
    {
        var train = TinyRun.Data.Get("fashion-mnist", Split.Train);
        var config = TinyRun.Config() with { TrainSubset = 256 };
        using var a = Trainer.Train(config, train, torch.CPU);
        using var b = Trainer.Train(config, train, torch.CPU);
        using var c = Trainer.Train(config with { Seed = 2 }, train, torch.CPU);
        Assert.Equal(a.Curve.Select(r => r.Loss), b.Curve.Select(r => r.Loss));
        var pa = a.Model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var pb = b.Model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.Equal(pa, pb);
        Assert.NotEqual(a.Curve[0].Loss, c.Curve[0].Loss);
    }

    [Fact]
    public void Live_tensor_count_is_flat_across_epochs()
    {
        var sink = new EpochLiveCounts();
        using var trained = Trainer.Train(TinyRun.Config(epochs: 4) with { TrainSubset = 256 },
            TinyRun.Data.Get("fashion-mnist", Split.Train), torch.CPU, sink);
        Assert.Equal(4, sink.Live.Count);
        Assert.All(sink.Live, n => Assert.Equal(sink.Live[0], n));
    }

    [Fact]
    public void Diverging_loss_stops_naming_epoch_and_step()
    {
        var config = TinyRun.Config() with { LearningRate = 1e30, TrainSubset = 256 };
        var e = Assert.Throws<DivergenceException>(() => Trainer.Train(config, TinyRun.Data.Get("fashion-mnist", Split.Train), torch.CPU));
        Assert.Equal(1, e.Epoch);
        Assert.Contains($"epoch 1, step {e.Step}", e.Message);
    }

    [Fact]
    public void Forward_gives_logits_and_the_penultimate_feature()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ResNet18(new ModelSpec(InputChannels: 1, NumClasses: 10, Width: 8));
        model.eval();
        using var output = model.call(torch.randn(3, 1, 28, 28));
        Assert.Equal([3L, 10], output.Logits.shape);
        Assert.Equal([3L, 64], output.Features.shape);
    }

    [Fact]
    public void Normalization_constants_match_the_training_data()
    {
        var set = TinyRun.Data.Get("fashion-mnist", Split.Train);
        double mean = set.Pixels.Average(p => p / 255.0);
        double std = Math.Sqrt(set.Pixels.Average(p => Math.Pow(p / 255.0 - mean, 2)));
        Assert.Equal(DataCatalog.FashionMnist.Mean[0], mean, 3);
        Assert.Equal(DataCatalog.FashionMnist.Std[0], std, 3);
    }
}
