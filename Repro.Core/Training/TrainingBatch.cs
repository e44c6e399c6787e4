using Repro.Data;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// The input side of one training step: gather the batch from the device-resident uint8 images, crop and flip it if
/// the row augments, normalize. The training loop and `repro bench --data` share it, so the benchmark's data cost is
/// the loop's.
/// </summary>
public static class TrainingBatch
{
    public static (Tensor X, Tensor Y) Prepare(Tensor pixels, Tensor labels, Tensor index, RunConfig config, DatasetInfo stats,
        Generator generator)
    {
        var batch = pixels.index_select(0, index);
        if (config.Augment) batch = Augmentation.CropAndFlip(batch, config.CropPadding, generator);
        return (Augmentation.Normalize(batch, stats), labels.index_select(0, index));
    }

    /// <summary>
    /// The batches of a stack's models (each prepared from its own order and generator) side by side, in the device's
    /// layout: images [N, K·C, H, W] and labels [N, K]; one model's batch as is.
    /// </summary>
    public static (Tensor X, Tensor Y) SideBySide(IReadOnlyList<(Tensor X, Tensor Y)> batches) =>
        batches.Count == 1
            ? (Trainer.ForDevice(batches[0].X), batches[0].Y)
            : (Trainer.ForDevice(cat(batches.Select(b => b.X).ToList(), 1)), stack(batches.Select(b => b.Y).ToList(), 1));
}
