using Repro.Data;
using Repro.Experiments;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Reproduction;

/// <summary>
/// Resuming a unit on the GPU: the first run of the fmnist definition on an H100 failed here — TorchSharp's Module.load
/// re-homes CUDA parameters, orphaning SGD's per-parameter state — which no CPU test can show. Runs with the
/// reproduction on GPU runners, before its units need it; without a GPU it fails saying so. On the reproduction's device:
/// the GPU acceptance script's dry run sets $REPRO_DEVICE=cpu.
/// </summary>
[Trait("Category", "Repro")]
[Collection(TorchCollection.Name)]
public class GpuResume
{
    [Fact]
    public void An_interrupted_unit_resumes_on_the_gpu_and_keeps_training()
    {
        var name = ReproductionRun.FromEnvironment().Device;
        Assert.True(!name.StartsWith("cuda", StringComparison.Ordinal) || Devices.CudaAvailable(),
            "no CUDA device: this test belongs to the GPU runners' `dotnet test --filter Category=Repro` (see the README's GPU section)");
        var device = Devices.Resolve(name);
        // Synthetic images: the test is about the checkpoint, and must not depend on which data set the runner holds.
        var random = new Random(3);
        var pixels = new byte[512 * 28 * 28];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, 512).Select(i => (long)(i % 10)).ToArray();
        var train = new ImageSet("fashion-mnist", pixels, labels, 1, 28, 28, 10);
        var config = TinyRun.Config(epochs: 3) with { TrainSubset = 512, SpectralNorm = true, Milestones = [2], Device = name };

        using var uninterrupted = Trainer.Train(config, train, device);
        using var dir = new TempDir();
        var checkpoint = new Checkpoint(dir.Path);
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(config, train, device, new KillAfter(2), checkpoint));
        Assert.Equal(1, checkpoint.LatestEpoch());
        using var resumed = Trainer.Train(config, train, device, null, checkpoint);

        Assert.Equal(3, resumed.Curve.Count);
        Assert.Equal(3, checkpoint.LatestEpoch());
        // cuDNN need not repeat bit for bit; a resume that lost its momentum or stepped orphaned weights drifts far more.
        for (int e = 0; e < 3; e++)
            Assert.True(Math.Abs(resumed.Curve[e].Loss - uninterrupted.Curve[e].Loss) <= 0.05 * uninterrupted.Curve[e].Loss + 1e-3,
                $"epoch {e + 1}: loss {resumed.Curve[e].Loss:F4} resumed vs {uninterrupted.Curve[e].Loss:F4} uninterrupted");
        Assert.All(resumed.Model.parameters(), p => Assert.Equal(device.type, p.device_type));
    }
}
