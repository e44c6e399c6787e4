using BenchmarkDotNet.Attributes;
using Repro.Data;
using Repro.Model;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The launch-bound regime on the CPU — a narrow spectrally normalized network (Table 1's SN rows at width 8) on small
/// batches, where a step's time is mostly per-kernel overhead — the proxy for a GPU at batch 128 that moves without a
/// GPU: K = 8 seeds as one stacked model against 8 separate models stepped one after another.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 10)]
[MedianColumn]
public class StackBenchmark
{
    private const int Seeds = 8;
    private TrainStepFixture stacked = null!;
    private TrainStepFixture[] separate = null!;

    [Params(8, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var row = TrainStepFixture.QuickL2 with
        {
            Width = 8, BatchSize = Batch, SpectralNorm = true, Activation = ActivationKind.LeakyRelu, Shortcut = ShortcutKind.Avgpool,
            Device = "cpu",
        };
        stacked = new TrainStepFixture(row, DataCatalog.Cifar10, Seeds);
        separate = Enumerable.Range(0, Seeds).Select(_ => new TrainStepFixture(row, DataCatalog.Cifar10)).ToArray();
    }

    [Benchmark(Baseline = true, Description = "8 separate models, one step each")]
    public double Separate()
    {
        double loss = 0;
        foreach (var f in separate) loss += f.Step();
        return loss;
    }

    [Benchmark(Description = "8 seeds stacked, one step")]
    public double Stacked() => stacked.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        stacked.Dispose();
        foreach (var f in separate) f.Dispose();
    }
}

/// <summary>
/// The optimizer step alone on the ResNet18 of Table 1's L2 60 row (53 parameter tensors): ATen's multi-tensor
/// `_fused_sgd_` (FusedSgd, what training uses) against TorchSharp's SGD, which loops over the parameters in .NET.
/// Gradients are set once; each call is one update (momentum, weight decay).
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 15)]
[MedianColumn]
public class OptimizerStepBenchmark
{
    private ResNet18 fusedModel = null!, loopedModel = null!;
    private FusedSgd fused = null!;
    private TorchSharp.Modules.SGD looped = null!;

    [Params(8, 64)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var spec = new ModelSpec(Width: Width, Activation: ActivationKind.LeakyRelu, SpectralNorm: true, Shortcut: ShortcutKind.Avgpool,
            FeatureNorm: FeatureNormMode.TrainOnly);
        random.manual_seed(0);
        fusedModel = new ResNet18(spec);
        loopedModel = new ResNet18(spec);
        foreach (var model in new[] { fusedModel, loopedModel })
            foreach (var p in model.parameters()) p.grad = randn_like(p) * 1e-3;
        fused = new FusedSgd(fusedModel.named_parameters(), 1e-6, 0.9, 5e-4, false);
        looped = optim.SGD(loopedModel.parameters(), 1e-6, momentum: 0.9, weight_decay: 5e-4);
    }

    [Benchmark(Baseline = true, Description = "TorchSharp SGD (per-parameter loop)")]
    public void Looped() => looped.step();

    [Benchmark(Description = "FusedSgd (_fused_sgd_)")]
    public void Fused() => fused.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        fused.Dispose();
        looped.Dispose();
        fusedModel.Dispose();
        loopedModel.Dispose();
    }
}
