using static TorchSharp.torch;

namespace Repro.Data;

/// <summary>
/// Batched, device-side input pipeline: random crop with zero padding and horizontal flip (the DDU/LogitNorm
/// CIFAR augmentation), then scaling to [0, 1] and per-channel normalization. Random numbers come from the caller's
/// seeded generator, drawn where the generator lives (the CPU: TorchSharp 0.107 makes no CUDA generators, see
/// SeedStack.Generators) and copied to the batch's device, so every run repeats from its seed.
/// </summary>
public static class Augmentation
{
    /// <summary>Random crop (padding on every side, zeros) and flip of a uint8 N×C×H×W batch.</summary>
    public static Tensor CropAndFlip(Tensor images, int padding, Generator generator)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var device = images.device;
        var x = images;
        if (padding > 0)
        {
            var padded = nn.functional.pad(images, [padding, padding, padding, padding]);
            // Per-sample offsets in [0, 2·padding]; crop by gathering rows then columns.
            var dy = randint(0, 2 * padding + 1, [n, 1, 1, 1], generator: generator, device: generator.device).to(device);
            var dx = randint(0, 2 * padding + 1, [n, 1, 1, 1], generator: generator, device: generator.device).to(device);
            var rows = (arange(h, device: device).view(1, 1, h, 1) + dy).expand(n, c, h, w + 2 * padding);
            x = padded.gather(2, rows);
            var cols = (arange(w, device: device).view(1, 1, 1, w) + dx).expand(n, c, h, w);
            x = x.gather(3, cols);
        }
        var flip = (rand([n, 1, 1, 1], generator: generator, device: generator.device) < 0.5).to(device);
        return where(flip, x.flip(3), x).MoveToOuterDisposeScope();
    }

    /// <summary>uint8 → float in [0, 1] → (x − mean) / std per channel.</summary>
    public static Tensor Normalize(Tensor images, DatasetInfo stats)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(stats.Mean.Select(m => (float)m).ToArray(), device: images.device).view(1, -1, 1, 1);
        var std = tensor(stats.Std.Select(s => (float)s).ToArray(), device: images.device).view(1, -1, 1, 1);
        return ((images.to_type(ScalarType.Float32) / 255f - mean) / std).MoveToOuterDisposeScope();
    }
}
