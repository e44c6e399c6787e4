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
/// config (weights via manual_seed, shuffling and augmentation via one generator), so a CPU run repeats exactly.
/// Every step runs in its own dispose scope: memory is flat across epochs.
/// </summary>
public static class Trainer
{
    public static ResNet18 CreateModel(RunConfig config, DatasetInfo data) => new(new ModelSpec(
        InputChannels: data.Channels, NumClasses: data.NumClasses, Width: config.Width, Activation: config.Activation,
        FeatureNorm: config.FeatureNorm, FeatureNormEpsilon: config.FeatureNormEpsilon,
        FeatureNormTemperature: config.FeatureNormTemperature, Shortcut: config.Shortcut,
        SpectralNorm: config.SpectralNorm, SpectralNormCoefficient: config.SpectralNormCoefficient, InputSize: data.Side,
        Precision: config.Precision));

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
        Checkpoint? checkpoint = null)
    {
        config.Validate();
        progress ??= IProgressSink.Silent;
        var stats = DataCatalog.Info(trainSet.Name);
        var split = TrainingSplit.For(config, trainSet.Count);
        var set = split.TrainingImages(trainSet);

        Platform.ReproducibleCpu.EnsureApplied();
        random.manual_seed(config.Seed);
        var model = CreateModel(config, stats).to(device);
        try { return Train(config, model, set, split.Record, stats, device, progress, checkpoint); }
        catch { model.Dispose(); throw; }
    }

    private static TrainedModel Train(RunConfig config, ResNet18 model, ImageSet set, TrainingSplitRecord split, DatasetInfo stats, Device device,
        IProgressSink progress, Checkpoint? checkpoint)
    {
        var loss = CreateLoss(config);
        using var optimizer = CreateOptimizer(config, model);
        var trainStep = new TrainStep(model, loss, optimizer);
        using var generator = new Generator((ulong)config.Seed);
        using var pixels = set.PixelTensor(device);
        using var labels = set.LabelTensor(device);

        int n = set.Count, steps = (n + config.BatchSize - 1) / config.BatchSize;
        var curve = new List<EpochRecord>();
        int resumeAfter = checkpoint?.LatestEpoch() ?? 0;
        if (resumeAfter > 0) curve = checkpoint!.Restore(resumeAfter, config, model, optimizer, generator);
        for (int epoch = resumeAfter; epoch < config.Epochs; epoch++)
        {
            double lr = config.LearningRateAt(epoch, 0, steps);
            model.train();
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0, seen = 0;
            using var order = randperm(n, generator: generator);
            for (int step = 0; step < steps; step++)
            {
                int start = step * config.BatchSize, size = Math.Min(config.BatchSize, n - start);
                if (size < 2) break;   // BatchNorm cannot train on a single sample
                using var scope = NewDisposeScope();
                optimizer.LearningRate = config.LearningRateAt(epoch, step, steps);
                var index = order.narrow(0, start, size).to(device);
                var (x, y) = TrainingBatch.Prepare(pixels, labels, index, config, stats, generator);

                var (value, right) = trainStep.Run(x, y);
                if (!double.IsFinite(value)) throw new DivergenceException(epoch + 1, step + 1, $"loss is {value}");
                lossSum += value * size;
                correct += right;
                seen += size;
                progress.Step(epoch + 1, config.Epochs, step + 1, steps, lossSum / seen, (double)correct / seen,
                    seen / clock.Elapsed.TotalSeconds);
            }
            // A finite loss can hide a weight that overflowed this epoch; never checkpoint one (one reduction per tensor).
            if (NonFiniteParameter(model) is { } name) throw new DivergenceException(epoch + 1, steps, $"weight '{name}' is not finite");
            var record = new EpochRecord(epoch + 1, lr, lossSum / seen, (double)correct / seen,
                clock.Elapsed.TotalSeconds, seen / clock.Elapsed.TotalSeconds);
            curve.Add(record);
            progress.EpochDone(record, config.Epochs);
            checkpoint?.Save(epoch + 1, config, model, optimizer, generator, curve);
        }
        return new TrainedModel(model, curve, curve.Sum(r => r.Seconds), split);
    }

    /// <summary>The name of the first parameter holding a NaN or Inf, or null.</summary>
    public static string? NonFiniteParameter(ResNet18 model)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, p) in model.named_parameters())
            if (!isfinite(p).all().item<bool>()) return name;
        return null;
    }
}
