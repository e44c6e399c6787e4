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
}
