using Repro.Data;
using Repro.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// The stacking layer around the training recipe: K seeds of one recipe (K = 1: an ordinary run) trained as one stacked
/// model (ModelSpec.Stack). Each seed keeps what a separate run of it has — its initialization (drawn as the separate
/// model would draw it), its held-out split, its data order and augmentation from its own generator, its own curve —
/// and comes back as its own model. This class holds those K of each, so that <see cref="Trainer"/>'s loop sees one
/// model, one batch and one step.
/// </summary>
internal sealed class SeedStack : IDisposable
{
    private readonly IReadOnlyList<TrainingSplit> splits;
    private readonly double[] lossSums;
    private readonly long[] correct;
    private long seen;
    private List<Tensor> epochOrder = [];

    public IReadOnlyList<RunConfig> Configs { get; }
    /// <summary>What every seed shares: the configs differ in their seed only.</summary>
    public RunConfig Recipe => Configs[0];
    public int Count => Configs.Count;
    /// <summary>Images each seed trains on per epoch (the same for every seed: the held-out share and the subset are the recipe's).</summary>
    public int TrainedPerSeed => splits[0].Trained.Length;
    /// <summary>Each seed's shuffling and augmentation, always on the CPU: their numbers are copied to the run's device.
    /// TorchSharp 0.107 cannot make a CUDA generator — `new Generator(seed, cuda)` builds a CPU one that reports CUDA
    /// (LibTorchSharp's THSGenerator_new), and drawing on CUDA from it crashed the process on an H200.</summary>
    public IReadOnlyList<Generator> Generators { get; }
    public List<List<EpochRecord>> Curves { get; set; }

    /// <summary>Refuses configs that are not one recipe over distinct seeds; draws each seed's held-out split.</summary>
    public SeedStack(IReadOnlyList<RunConfig> configs, int trainingImages)
    {
        if (configs.Count == 0) throw new ArgumentException("a stack needs at least one seed", nameof(configs));
        foreach (var c in configs) c.Validate();
        foreach (var other in configs.Skip(1))
            if (configs[0].RecipeDifferences(other, "seed") is { Count: > 0 } differences)
                throw new ReproException($"seeds {configs[0].Seed} and {other.Seed} cannot train as one stack: their recipes differ ({string.Join(", ", differences)})");
        if (configs.Select(c => c.Seed).Distinct().Count() != configs.Count)
            throw new ReproException($"a stack trains distinct seeds; got {string.Join(", ", configs.Select(c => c.Seed))}");
        Configs = configs;
        splits = configs.Select(c => c.TrainingSplit(trainingImages)).ToList();
        Generators = configs.Select(c => new Generator((ulong)c.Seed)).ToList();
        Curves = configs.Select(_ => new List<EpochRecord>()).ToList();
        lossSums = new double[Count];
        correct = new long[Count];
    }

    /// <summary>One model per seed, each initialized from its seed as a separate run would be, stacked into one (a stack
    /// of one is that model itself).</summary>
    public ResNet18 CreateModel(DatasetInfo data, Device device)
    {
        var singles = new List<ResNet18>();
        try
        {
            foreach (var config in Configs)
            {
                random.manual_seed(config.Seed);
                singles.Add(new ResNet18(config.ModelSpecFor(data)).to(device));
            }
            return Count == 1 ? singles[0] : ModelStack.Stack(singles);
        }
        finally
        {
            // The stack holds copies; a single model is kept unless its creation failed.
            if (Count > 1 || singles.Count < Count) foreach (var single in singles) single.Dispose();
        }
    }

    /// <summary>Draws this epoch's order of each seed's trained images from the seed's generator.</summary>
    public void Shuffle(Device device)
    {
        DisposeEpochOrder();
        epochOrder = splits.Select((split, k) => ShuffledIndices(split, Generators[k], device)).ToList();
    }

    private static Tensor ShuffledIndices(TrainingSplit split, Generator generator, Device device)
    {
        using var scope = NewDisposeScope();
        var order = randperm(split.Trained.Length, generator: generator, device: generator.device).to(device);
        return tensor(split.Trained.Select(i => (long)i).ToArray(), device: device).index_select(0, order).MoveToOuterDisposeScope();
    }

    /// <summary>Images <paramref name="start"/>.. of this epoch's order: each seed's own, augmented with its own generator,
    /// side by side (TrainingBatch.SideBySide).</summary>
    public (Tensor X, Tensor Y) Batch(Tensor pixels, Tensor labels, int start, int size, DatasetInfo stats) =>
        TrainingBatch.SideBySide(epochOrder.Select((order, k) =>
            TrainingBatch.Prepare(pixels, labels, order.narrow(0, start, size), Recipe, stats, Generators[k])).ToList());

    /// <summary>Adds one step's per-seed mean losses and correct counts over <paramref name="size"/> images each; a loss
    /// that is not finite ends the run (<see cref="DivergenceException"/>, naming its seed in a stack).</summary>
    public void Tally(double[] losses, long[] right, int size, int epoch, int step)
    {
        for (int k = 0; k < Count; k++)
        {
            if (!double.IsFinite(losses[k]))
                throw new DivergenceException(epoch + 1, step + 1, $"loss is {losses[k]}" + (Count > 1 ? $" (seed {Configs[k].Seed})" : ""));
            lossSums[k] += losses[k] * size;
            correct[k] += right[k];
        }
        seen += size;
    }

    /// <summary>Images stepped on so far this epoch, over all seeds.</summary>
    public long Seen => Count * seen;
    /// <summary>Mean training loss so far this epoch, over all seeds.</summary>
    public double Loss => lossSums.Sum() / Seen;
    public double Accuracy => (double)correct.Sum() / Seen;

    /// <summary>Adds the epoch to each seed's curve and starts the next epoch's tally; returns the whole stack's record
    /// (a stack of one: its seed's).</summary>
    public EpochRecord EndEpoch(int epoch, double learningRate, double seconds)
    {
        for (int k = 0; k < Count; k++)
            Curves[k].Add(new EpochRecord(epoch + 1, learningRate, lossSums[k] / seen, (double)correct[k] / seen, seconds, seen / seconds));
        var whole = Count == 1 ? Curves[0][^1] : new EpochRecord(epoch + 1, learningRate, Loss, Accuracy, seconds, Seen / seconds);
        Array.Clear(lossSums);
        Array.Clear(correct);
        seen = 0;
        return whole;
    }

    /// <summary>Each seed's model (a copy out of the stack, or the model itself for a stack of one) with its curve and split.</summary>
    public IReadOnlyList<TrainedModel> TakeApart(ResNet18 model)
    {
        TrainedModel Seed(ResNet18 single, int k) => new(single, Curves[k], Curves[k].Sum(r => r.Seconds), splits[k].Record);
        if (Count == 1) return [Seed(model, 0)];
        var trained = Configs.Select((_, k) => Seed(ModelStack.Unstack(model, k), k)).ToList();
        model.Dispose();
        return trained;
    }

    private void DisposeEpochOrder()
    {
        foreach (var order in epochOrder) order.Dispose();
        epochOrder = [];
    }

    public void Dispose()
    {
        DisposeEpochOrder();
        foreach (var generator in Generators) generator.Dispose();
    }
}
