using Repro.Cli.Bench;
using Repro.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>The throughput probe runs the real step and reports consistent numbers; the ratio table divides the right cells.</summary>
[Collection(TorchCollection.Name)]
public class StepBenchmarkTests
{
    [Fact]
    public void Times_the_steps_after_the_warm_up_inside_the_callers_own_clock()
    {
        // Judged against this test's clock, not the benchmark's: its timed window lies inside the call, leaves out
        // thirty warm-up steps (so it is well under half the call), and its throughput is at least all images / the call.
        var before = DateTimeOffset.UtcNow;
        var t = StepBenchmark.Measure(TinyRun.Config(), batchSize: 8, steps: 1, warmup: 30, CPU);
        var call = DateTimeOffset.UtcNow - before;
        Assert.Equal((8, 1), (t.BatchSize, t.Steps));
        Assert.InRange(t.TimedFrom, before, before + call);
        Assert.InRange(t.TimedTo, t.TimedFrom, before + call);
        Assert.True(t.TimedTo - t.TimedFrom < call / 2, $"timed {t.TimedTo - t.TimedFrom} of a {call} call: the warm-up was timed");
        Assert.True(t.ImagesPerSecond >= 8 / call.TotalSeconds, $"{t.ImagesPerSecond} img/s is below 8 images in {call}");
        Assert.InRange(t.MillisecondsPerStep, double.Epsilon, call.TotalMilliseconds);
    }

    [Fact]
    public void With_data_the_step_draws_and_augments_its_batch_first_and_says_so()
    {
        var t = StepBenchmark.Measure(TinyRun.Config() with { Augment = true }, batchSize: 8, steps: 2, warmup: 1, CPU, withData: true);
        Assert.True(t.WithData);
        Assert.Equal("fp32 + data", t.Label);
        Assert.True(t.TimedTo > t.TimedFrom, $"timed window {t.TimedFrom:O} .. {t.TimedTo:O}");
    }

    /// <summary>
    /// `repro bench --layout channels-last` times the CPU in NHWC: every convolution weight is converted (training keeps
    /// the CPU in NCHW). Average-pooling shortcuts: oneDNN's NHWC weight gradient of a narrow 1×1 stride-2 convolution
    /// corrupts the heap on the CPU (Model/ChannelsLast.cs).
    /// </summary>
    [Fact]
    public void Channels_last_puts_every_convolution_weight_in_NHWC_and_says_so()
    {
        var config = TinyRun.Config() with { Shortcut = Repro.Model.ShortcutKind.Avgpool };
        var info = Repro.Data.DataCatalog.Info(config.InDistribution);
        static List<bool> Layouts(StepFixture f) => f.Model.parameters().Where(p => p.dim() == 4 && p.shape[1] > 1)
            .Select(Repro.Model.ChannelsLast.IsChannelsLast).ToList();
        using (var plain = new StepFixture(config, info, CPU)) Assert.DoesNotContain(true, Layouts(plain));
        using (var nhwc = new StepFixture(config, info, CPU, channelsLast: true))
        {
            Assert.NotEmpty(Layouts(nhwc));
            Assert.DoesNotContain(false, Layouts(nhwc));
        }
        var t = StepBenchmark.Measure(config, batchSize: 8, steps: 2, warmup: 1, CPU, withData: true, channelsLast: true);
        Assert.Equal("fp32 + data NHWC", t.Label);
    }

    [Fact]
    public void Ratio_table_sets_ours_beside_each_peer_system()
    {
        StepTiming[] ours = [new("l2-60", 128, 30, 11_000, 11.6, "CUDA device 0"), new("l2-60", 1024, 30, 20_000, 51.2, "CUDA device 0", Repro.Model.ComputePrecision.Bf16)];
        PeerTiming[] peers =
        [
            new("pytorch-fp32", "l2-60", 128, 12_000, "NVIDIA H100"), new("pytorch-bf16", "l2-60", 128, 16_000, "NVIDIA H100"),
            new("pytorch-bf16", "l2-60", 1024, 40_000, "NVIDIA H100"),
        ];
        var lines = RatioTable.Format(ours, peers).Split('\n');
        Assert.StartsWith("| row | batch | TorchSharp | img/s | pytorch-fp32 img/s | ours ÷ pytorch-fp32 | pytorch-bf16 img/s | ours ÷ pytorch-bf16 |", lines[0]);
        Assert.Equal("| l2-60 | 128 | fp32 | 11000 | 12000 | 0.92 | 16000 | 0.69 |", lines[2]);
        Assert.Equal("| l2-60 | 1024 | bf16 | 20000 | — | — | 40000 | 0.50 |", lines[3]);
        Assert.Contains("CUDA device 0; NVIDIA H100", lines[^2]);
    }
}
