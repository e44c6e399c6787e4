using System.Diagnostics;
using Repro.Data;
using Repro.Model;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Cli.Bench;

/// <summary>Training throughput of one row's model: images per second over timed steps, after warm-up.</summary>
public sealed record StepTiming(string Row, int BatchSize, int Steps, double ImagesPerSecond, double MillisecondsPerStep, string Device,
    Model.ComputePrecision Precision = Model.ComputePrecision.Fp32, bool WithData = false,
    DateTimeOffset TimedFrom = default, DateTimeOffset TimedTo = default, int Stack = 1, bool ChannelsLast = false)
{
    /// <summary>"fp32", "bf16 ×4", "fp32 + data", "fp32 NHWC": what the timed step held (×K: K seeds as one stacked model; img/s counts all K; NHWC: channels_last forced).</summary>
    public string Label => Precision.Name() + (Stack > 1 ? $" ×{Stack}" : "") + (WithData ? " + data" : "") + (ChannelsLast ? " NHWC" : "");
}

/// <summary>
/// Times the training step itself — the same <see cref="TrainStep"/> the loop runs, host sync for the loss included —
/// on synthetic batches of the row's input shape on the device. Without <c>withData</c> the batch is already normalized,
/// so data and augmentation are not in it — the peer script scripts/peer/train_step.py times PyTorch the same way for
/// the ratio table. With it, each step first draws its batch from a device-resident uint8 set through
/// <see cref="TrainingBatch"/> (gather, crop, flip, normalize), as the loop does: the two side by side give the
/// input pipeline's share of an epoch.
/// </summary>
public static class StepBenchmark
{
    /// <param name="channelsLast">Weights and batches in channels_last whatever the device (training's layout is channels_last on CUDA, NCHW on the CPU).</param>
    public static StepTiming Measure(RunConfig row, int batchSize, int steps, int warmup, Device device, bool withData = false, int stack = 1,
        bool channelsLast = false)
    {
        using var scope = NewDisposeScope();
        var info = DataCatalog.Info(row.InDistribution);
        using var fixture = new StepFixture(row, info, device, stack, channelsLast);
        if (fixture.Warning is { } warning) Console.Error.WriteLine($"warning: {warning}");
        Tensor Layout(Tensor x) => channelsLast ? Model.ChannelsLast.ToChannelsLast(x) : Trainer.ForDevice(x);
        var step = fixture.Step;
        using var generator = new Generator((ulong)row.Seed);
        int poolSize = Math.Max(4 * batchSize, 4096);
        var pixels = randint(0, 256, [poolSize, info.Channels, info.Side, info.Side], dtype: ScalarType.Byte, device: device);
        var labels = randint(0, info.NumClasses, [poolSize], device: device);
        var fixedX = Layout(randn([batchSize, stack * info.Channels, info.Side, info.Side], device: device));
        var fixedY = randint(0, info.NumClasses, [batchSize, stack], device: device);
        void Once()
        {
            using var stepScope = NewDisposeScope();
            if (!withData) { step.Run(fixedX, fixedY); return; }
            // Each seed of a stack draws and augments its own batch, as the training loop does.
            var (images, y) = TrainingBatch.SideBySide(Enumerable.Range(0, stack).Select(_ =>
                TrainingBatch.Prepare(pixels, labels, randperm(poolSize, generator: generator).narrow(0, 0, batchSize).to(device), row, info, generator)).ToList());
            step.Run(channelsLast ? Model.ChannelsLast.ToChannelsLast(images) : images, y);
        }
        for (int i = 0; i < warmup; i++) Once();
        Synchronize(device);
        var from = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Once();
        Synchronize(device);
        var elapsed = clock.Elapsed;
        var seconds = elapsed.TotalSeconds;
        // The timed window's wall-clock ends let several processes' timings be combined (scripts/bench-concurrent.sh).
        return new StepTiming(row.Row, batchSize, steps, steps * (double)batchSize * stack / seconds, 1000 * seconds / steps, Devices.Describe(device),
            row.Precision, withData, from, from + elapsed, stack, channelsLast);
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}

/// <summary>One line of the peer script's JSON (scripts/peer/train_step.py): a system such as "pytorch-bf16+compile ×4".</summary>
public sealed record PeerTiming(string System, string Row, int BatchSize, double ImagesPerSecond, string Device, string? Precision = null)
{
    /// <summary>The precision its step computed in: the script's "precision" field, else read from the system's name
    /// (older files: "pytorch-fp32", "pytorch-bf16", and "pytorch-compile", which was bf16).</summary>
    public ComputePrecision ComputePrecision =>
        (Precision ?? (System.Contains("fp32") ? "fp32" : "bf16")) == "fp32" ? ComputePrecision.Fp32 : ComputePrecision.Bf16;

    /// <summary>As one of our timings, for <see cref="Projection"/>: the peer's Table 1 at its own rate.</summary>
    public StepTiming AsStepTiming() =>
        new(Row, BatchSize, 0, ImagesPerSecond, 1000 * BatchSize / ImagesPerSecond, $"{System} on {Device}", ComputePrecision);
}

/// <summary>Ours beside the peer's, same row and batch, as a Markdown table with ours ÷ theirs per peer system.</summary>
public static class RatioTable
{
    public static IReadOnlyList<PeerTiming> Load(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"peer timings {path} do not exist (run scripts/peer/train_step.py --json {path})");
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        try { return System.Text.Json.JsonSerializer.Deserialize<List<PeerTiming>>(File.ReadAllText(path), options) ?? []; }
        catch (System.Text.Json.JsonException e) { throw new DataFormatException(path, "a JSON list of peer timings", e.Message); }
    }

    public static string Format(IReadOnlyList<StepTiming> ours, IReadOnlyList<PeerTiming> peers)
    {
        var systems = peers.Select(p => p.System).Distinct().ToList();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| row | batch | TorchSharp | img/s | " + string.Join(" | ", systems.Select(s => $"{s} img/s | ours ÷ {s}")) + " |");
        sb.AppendLine("|---|---:|---|---:|" + string.Concat(systems.Select(_ => "---:|---:|")));
        foreach (var t in ours)
        {
            sb.Append($"| {t.Row} | {t.BatchSize} | {t.Label} | {t.ImagesPerSecond:F0} |");
            foreach (var s in systems)
            {
                var p = peers.FirstOrDefault(x => x.System == s && x.Row == t.Row && x.BatchSize == t.BatchSize);
                sb.Append(p is null ? " — | — |" : $" {p.ImagesPerSecond:F0} | {t.ImagesPerSecond / p.ImagesPerSecond:F2} |");
            }
            sb.AppendLine();
        }
        var devices = ours.Select(t => t.Device).Concat(peers.Select(p => p.Device)).Distinct();
        sb.AppendLine($"\nMeasured side by side on: {string.Join("; ", devices)}.");
        return sb.ToString();
    }
}
