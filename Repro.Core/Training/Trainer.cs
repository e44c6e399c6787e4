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
    /// Trains K seeds of one recipe as one stacked model (ModelSpec.Stack; configs differing in their seed only). Each
    /// seed keeps what a separate run of it has — its initialization (drawn as the separate model would draw it), its
    /// held-out split, its data order and augmentation from its own generator, its own curve — and comes back as its
    /// own model. A stack of one is the ordinary run. The checkpoint holds the whole stack.
    /// </summary>
    public static IReadOnlyList<TrainedModel> TrainStack(IReadOnlyList<RunConfig> configs, ImageSet trainSet, Device device,
        IProgressSink? progress = null, Checkpoint? checkpoint = null)
    {
        if (configs.Count == 0) throw new ArgumentException("a stack needs at least one seed", nameof(configs));
        foreach (var c in configs) c.Validate();
        var config = configs[0];
        foreach (var other in configs.Skip(1))
            if (config.RecipeDifferences(other, "seed") is { Count: > 0 } differences)
                throw new ReproException($"seeds {config.Seed} and {other.Seed} cannot train as one stack: their recipes differ ({string.Join(", ", differences)})");
        if (configs.Select(c => c.Seed).Distinct().Count() != configs.Count)
            throw new ReproException($"a stack trains distinct seeds; got {string.Join(", ", configs.Select(c => c.Seed))}");
        progress ??= IProgressSink.Silent;
        var stats = DataCatalog.Info(trainSet.Name);
        var splits = configs.Select(c => TrainingSplit.For(c, trainSet.Count)).ToList();

        Platform.ReproducibleCpu.EnsureApplied();
        if (device.type == TorchSharp.DeviceType.CPU) Platform.ReproducibleCpu.RequireSafeWidth(config.Width);
        var singles = new List<ResNet18>();
        ResNet18? model = null;
        try
        {
            foreach (var c in configs)
            {
                random.manual_seed(c.Seed);
                singles.Add(new ResNet18(c.ModelSpecFor(stats)).to(device));
            }
            model = singles.Count == 1 ? singles[0] : ModelStack.Stack(singles);
            if (singles.Count > 1) foreach (var single in singles) single.Dispose();
            singles.Clear();
            PrepareForDevice(model, device);
            var curves = Train(configs, model, trainSet, splits, stats, device, progress, checkpoint);
            var seconds = curves.Select(curve => curve.Sum(r => r.Seconds)).ToList();
            if (configs.Count == 1) return [new TrainedModel(model, curves[0], seconds[0], splits[0].Record)];
            var trained = configs.Select((_, k) => new TrainedModel(ModelStack.Unstack(model, k), curves[k], seconds[k], splits[k].Record)).ToList();
            model.Dispose();
            return trained;
        }
        catch
        {
            foreach (var single in singles) single.Dispose();
            model?.Dispose();
            throw;
        }
    }

    private static List<List<EpochRecord>> Train(IReadOnlyList<RunConfig> configs, ResNet18 model, ImageSet trainSet,
        IReadOnlyList<TrainingSplit> splits, DatasetInfo stats, Device device, IProgressSink progress, Checkpoint? checkpoint)
    {
        var config = configs[0];
        int k = configs.Count;
        var loss = CreateLoss(config);
        using var optimizer = CreateOptimizer(config, model);
        var trainStep = new TrainStep(model, loss, optimizer);
        var generators = configs.Select(c => NewGenerator(c.Seed)).ToList();
        using var pixels = trainSet.PixelTensor(device);
        using var labels = trainSet.LabelTensor(device);
        var trainedIndices = splits.Select(s => tensor(s.Trained.Select(i => (long)i).ToArray(), device: device)).ToList();
        try
        {
            int n = splits[0].Trained.Length, steps = (n + config.BatchSize - 1) / config.BatchSize;
            var curves = configs.Select(_ => new List<EpochRecord>()).ToList();
            int resumeAfter = checkpoint?.LatestEpoch() ?? 0;
            if (resumeAfter > 0) curves = checkpoint!.Restore(resumeAfter, configs, model, optimizer, generators);
            for (int epoch = resumeAfter; epoch < config.Epochs; epoch++)
            {
                double lr = config.LearningRateAt(epoch, 0, steps);
                model.train();
                var clock = Stopwatch.StartNew();
                var lossSums = new double[k];
                var correct = new long[k];
                long seen = 0;
                var orders = generators.Select(g => randperm(n, generator: g, device: g.device)).ToList();
                for (int step = 0; step < steps; step++)
                {
                    int start = step * config.BatchSize, size = Math.Min(config.BatchSize, n - start);
                    if (size < 2) break;   // BatchNorm cannot train on a single sample
                    using var scope = NewDisposeScope();
                    optimizer.LearningRate = config.LearningRateAt(epoch, step, steps);
                    var (x, y) = StackedBatch(pixels, labels, trainedIndices, orders, start, size, config, stats, generators, device);
                    var (values, right) = trainStep.Run(x, y);
                    for (int m = 0; m < k; m++)
                    {
                        if (!double.IsFinite(values[m]))
                            throw new DivergenceException(epoch + 1, step + 1, $"loss is {values[m]}" + (k > 1 ? $" (seed {configs[m].Seed})" : ""));
                        lossSums[m] += values[m] * size;
                        correct[m] += right[m];
                    }
                    seen += size;
                    progress.Step(epoch + 1, config.Epochs, step + 1, steps, lossSums.Sum() / (k * seen), (double)correct.Sum() / (k * seen),
                        k * seen / clock.Elapsed.TotalSeconds);
                }
                foreach (var order in orders) order.Dispose();
                // A finite loss can hide a weight that overflowed this epoch; never checkpoint one (one reduction per tensor).
                if (NonFiniteParameter(model) is { } name) throw new DivergenceException(epoch + 1, steps, $"weight '{name}' is not finite");
                double seconds = clock.Elapsed.TotalSeconds;
                for (int m = 0; m < k; m++)
                    curves[m].Add(new EpochRecord(epoch + 1, lr, lossSums[m] / seen, (double)correct[m] / seen, seconds, seen / seconds));
                progress.EpochDone(k == 1 ? curves[0][^1]
                    : new EpochRecord(epoch + 1, lr, lossSums.Sum() / (k * seen), (double)correct.Sum() / (k * seen), seconds, k * seen / seconds), config.Epochs);
                checkpoint?.Save(epoch + 1, configs, model, optimizer, generators, curves);
            }
            return curves;
        }
        finally
        {
            foreach (var g in generators) g.Dispose();
            foreach (var t in trainedIndices) t.Dispose();
        }
    }

    /// <summary>
    /// On CUDA: convolution weights in channels_last (NHWC strides), which cuDNN's fast bf16/tensor-core kernels want
    /// (PyTorch's memory_format, unwrapped in TorchSharp 0.107: see Model/ChannelsLast.cs), and cudnn.benchmark on, so
    /// cuDNN times its algorithms for each shape once and keeps the fastest. Before the optimizer is built: it must hold
    /// the converted parameters. The CPU stays NCHW — oneDNN's channels_last kernels compute some small shapes wrong here.
    /// </summary>
    public static void PrepareForDevice(ResNet18 model, Device device)
    {
        if (device.type != TorchSharp.DeviceType.CUDA) return;
        ChannelsLast.ConvertParameters(model);
        if (!cudnnBenchmarkTried)
        {
            cudnnBenchmarkTried = true;
            if (!Platform.CudnnBenchmark.TryEnable(out var message)) Console.Error.WriteLine($"warning: {message}; training goes on with cuDNN's default algorithm choice");
        }
    }

    private static bool cudnnBenchmarkTried;

    /// <summary>A batch's images in the layout the device's convolutions want (channels_last on CUDA).</summary>
    public static Tensor ForDevice(Tensor images) =>
        images.device.type == TorchSharp.DeviceType.CUDA ? ChannelsLast.ToChannelsLast(images) : images;

    /// <summary>
    /// One batch for each model of the stack, from its own order and generator, side by side (TrainingBatch.SideBySide).
    /// </summary>
    private static (Tensor X, Tensor Y) StackedBatch(Tensor pixels, Tensor labels, IReadOnlyList<Tensor> trainedIndices,
        IReadOnlyList<Tensor> orders, int start, int size, RunConfig config, DatasetInfo stats, IReadOnlyList<Generator> generators, Device device)
    {
        return TrainingBatch.SideBySide(trainedIndices.Select((trained, m) =>
            TrainingBatch.Prepare(pixels, labels, trained.index_select(0, orders[m].narrow(0, start, size).to(device)), config, stats, generators[m])).ToList());
    }

    /// <summary>
    /// The generator of a seed's shuffling and augmentation, always on the CPU: its numbers are copied to the run's
    /// device. TorchSharp 0.107 cannot make a CUDA generator — `new Generator(seed, cuda)` builds a CPU one that reports
    /// CUDA (LibTorchSharp's THSGenerator_new), and drawing on CUDA from it crashed the process on an H200.
    /// </summary>
    private static Generator NewGenerator(int seed) => new((ulong)seed);

    /// <summary>The name of the first parameter holding a NaN or Inf, or null.</summary>
    public static string? NonFiniteParameter(ResNet18 model)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, p) in model.named_parameters())
            if (!isfinite(p).all().item<bool>()) return name;
        return null;
    }
}
