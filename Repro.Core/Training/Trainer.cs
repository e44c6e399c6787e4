using System.Diagnostics;
using Repro.Data;
using Repro.Losses;
using Repro.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>A trained network with the curve that produced it (TrainSeconds sums the epochs, across resumes) and the images it trained on.</summary>
public sealed record TrainedModel(ResNet18 Model, IReadOnlyList<EpochRecord> Curve, double TrainSeconds, TrainingSplitRecord Split) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The one training loop, shared by the CLI, the tests and the benchmarks. Every random source is seeded from the
/// config (weights via manual_seed, shuffling and augmentation via one generator per seed), so a CPU run repeats
/// exactly. Every step runs in its own dispose scope: memory is flat across epochs. docs/training.md maps which file
/// holds each part of the recipe.
/// </summary>
public static class Trainer
{
    public static ITrainingLoss CreateLoss(RunConfig config) => config.Loss switch
    {
        LossKind.CrossEntropy => new CrossEntropyLoss(),
        LossKind.Logitnorm => new LogitNormLoss(config.LogitNormTemperature),
        _ => throw new ConfigException("loss", $"unsupported value {config.Loss}"),
    };

    /// <summary>SGD as DDU trains: momentum and L2 weight decay on every parameter; Nesterov where the config asks (OpenOOD).</summary>
    public static FusedSgd CreateOptimizer(RunConfig config, ResNet18 model) =>
        new(model.named_parameters(), config.LearningRate, config.Momentum, config.WeightDecay, config.Nesterov);

    /// <param name="checkpoint">When given, the state is saved after every epoch and a run resumes from the last one saved.</param>
    public static TrainedModel Train(RunConfig config, ImageSet trainSet, Device device, IProgressSink? progress = null,
        Checkpoint? checkpoint = null) => TrainStack([config], trainSet, device, progress, checkpoint)[0];

    /// <summary>
    /// Trains K seeds of one recipe as one stacked model (configs differing in their seed only; <see cref="SeedStack"/>
    /// says what each seed keeps of a separate run), each coming back as its own model. A stack of one is the ordinary
    /// run. The checkpoint holds the whole stack.
    /// </summary>
    public static IReadOnlyList<TrainedModel> TrainStack(IReadOnlyList<RunConfig> configs, ImageSet trainSet, Device device,
        IProgressSink? progress = null, Checkpoint? checkpoint = null)
    {
        using var seeds = new SeedStack(configs, trainSet.Count);
        progress ??= IProgressSink.Silent;
        Platform.ReproducibleCpu.EnsureApplied();
        if (device.type == TorchSharp.DeviceType.CPU) Platform.ReproducibleCpu.RequireSafeWidth(seeds.Recipe.Width);
        var stats = DataCatalog.Info(trainSet.Name);
        var model = seeds.CreateModel(stats, device);
        try
        {
            if (PrepareForDevice(model, device) is { } warning) progress.Warning(warning);
            Train(seeds, model, trainSet, stats, device, progress, checkpoint);
            return seeds.TakeApart(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The recipe. Each epoch: its learning rate, a fresh order of the training images; each step: the batch (gathered,
    /// augmented, normalized), one SGD step, a check that the loss is finite; after the epoch: a check that every weight
    /// is finite, the curve, the checkpoint. <paramref name="seeds"/> draws each seed's order and batch and keeps each
    /// seed's numbers.
    /// </summary>
    private static void Train(SeedStack seeds, ResNet18 model, ImageSet trainSet, DatasetInfo stats, Device device,
        IProgressSink progress, Checkpoint? checkpoint)
    {
        var config = seeds.Recipe;
        using var optimizer = CreateOptimizer(config, model);
        var trainStep = new TrainStep(model, CreateLoss(config), optimizer);
        using var pixels = trainSet.PixelTensor(device);
        using var labels = trainSet.LabelTensor(device);
        int n = seeds.TrainedPerSeed, steps = (n + config.BatchSize - 1) / config.BatchSize;
        int resumeAfter = checkpoint?.LatestEpoch() ?? 0;
        if (resumeAfter > 0) seeds.Curves = checkpoint!.Restore(resumeAfter, seeds.Configs, model, optimizer, seeds.Generators);
        for (int epoch = resumeAfter; epoch < config.Epochs; epoch++)
        {
            double lr = config.LearningRateAt(epoch, 0, steps);
            model.train();
            var clock = Stopwatch.StartNew();
            seeds.Shuffle(device);
            for (int step = 0; step < steps; step++)
            {
                int start = step * config.BatchSize, size = Math.Min(config.BatchSize, n - start);
                if (size < 2) break;   // BatchNorm cannot train on a single sample
                using var scope = NewDisposeScope();
                optimizer.LearningRate = config.LearningRateAt(epoch, step, steps);
                var (x, y) = seeds.Batch(pixels, labels, start, size, stats);
                var (losses, correct) = trainStep.Run(x, y);
                seeds.Tally(losses, correct, size, epoch, step);
                progress.Step(epoch + 1, config.Epochs, step + 1, steps, seeds.Loss, seeds.Accuracy, seeds.Seen / clock.Elapsed.TotalSeconds);
            }
            // A finite loss can hide a weight that overflowed this epoch; never checkpoint one (one reduction per tensor).
            if (NonFiniteParameter(model) is { } name) throw new DivergenceException(epoch + 1, steps, $"weight '{name}' is not finite");
            progress.EpochDone(seeds.EndEpoch(epoch, lr, clock.Elapsed.TotalSeconds), config.Epochs);
            checkpoint?.Save(epoch + 1, seeds.Configs, model, optimizer, seeds.Generators, seeds.Curves);
        }
    }

    /// <summary>
    /// On CUDA: convolution weights in channels_last (NHWC strides), which cuDNN's fast bf16/tensor-core kernels want
    /// (PyTorch's memory_format, unwrapped in TorchSharp 0.107: see Model/ChannelsLast.cs), and cudnn.benchmark on, so
    /// cuDNN times its algorithms for each shape once and keeps the fastest. Before the optimizer is built: it must hold
    /// the converted parameters. The CPU stays NCHW — oneDNN's channels_last kernels compute some small shapes wrong here.
    /// </summary>
    /// <returns>Why cudnn.benchmark could not be turned on, the first time that is tried; otherwise null.</returns>
    public static string? PrepareForDevice(ResNet18 model, Device device)
    {
        if (device.type != TorchSharp.DeviceType.CUDA) return null;
        ChannelsLast.ConvertParameters(model);
        if (cudnnBenchmarkTried) return null;
        cudnnBenchmarkTried = true;
        return Platform.CudnnBenchmark.TryEnable(out var message) ? null : $"{message}; training goes on with cuDNN's default algorithm choice";
    }

    private static bool cudnnBenchmarkTried;

    /// <summary>A batch's images in the layout the device's convolutions want (channels_last on CUDA).</summary>
    public static Tensor ForDevice(Tensor images) =>
        images.device.type == TorchSharp.DeviceType.CUDA ? ChannelsLast.ToChannelsLast(images) : images;

    /// <summary>The name of the first parameter holding a NaN or Inf, or null.</summary>
    public static string? NonFiniteParameter(ResNet18 model)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, p) in model.named_parameters())
            if (!isfinite(p).all().item<bool>()) return name;
        return null;
    }
}
