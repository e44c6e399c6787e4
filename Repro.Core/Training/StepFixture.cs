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
    /// <summary>Why cudnn.benchmark could not be turned on (Trainer.PrepareForDevice), for the caller to show; null when it was or need not be.</summary>
    public string? Warning { get; }

    /// <param name="stack">K seeds as one stacked model: a step then takes K batches side by side ([N, K·C, H, W], labels [N, K]).</param>
    /// <param name="channelsLast">Weights in channels_last on any device (training uses it on CUDA only), to time the layout on the CPU.</param>
    public StepFixture(RunConfig config, DatasetInfo data, Device device, int stack = 1, bool channelsLast = false)
    {
        Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(config.Seed);
        Data = data;
        Model = new ResNet18(config.ModelSpecFor(data, stack)).to(device);
        Warning = Trainer.PrepareForDevice(Model, device);
        if (channelsLast) ChannelsLast.ConvertParameters(Model);
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
