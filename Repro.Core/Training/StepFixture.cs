using Repro.Data;
using Repro.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// A row's model, optimizer and <see cref="TrainStep"/> built as the trainer builds them (seeded, in training mode, on
/// the device), for timing single steps: `repro bench` and the BenchmarkDotNet suite both start from one.
/// </summary>
public sealed class StepFixture : IDisposable
{
    private readonly FusedSgd optimizer;

    public ResNet18 Model { get; }
    public TrainStep Step { get; }
    public DatasetInfo Data { get; }

    public StepFixture(RunConfig config, DatasetInfo data, Device device)
    {
        Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(config.Seed);
        Data = data;
        Model = Trainer.CreateModel(config, data).to(device);
        Model.train();
        optimizer = Trainer.CreateOptimizer(config, Model);
        Step = new TrainStep(Model, Trainer.CreateLoss(config), optimizer);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
    }
}
