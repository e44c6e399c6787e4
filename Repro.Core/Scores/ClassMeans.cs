using static TorchSharp.torch;

namespace Repro.Scores;

/// <summary>Per-class means of features [N, D] with labels [N] in 0..C−1, for the class-conditional scores.</summary>
internal static class ClassMeans
{
    /// <summary>
    /// [C, D] in the features' type and device. Throws, naming the score, when a class has fewer than
    /// <paramref name="minimumPerClass"/> samples: an empty class has no mean (and one sample no covariance), and a NaN
    /// there would silently turn every score into NaN.
    /// </summary>
    public static Tensor Of(Tensor features, Tensor labels, int classes, string score, int minimumPerClass)
    {
        using var scope = NewDisposeScope();
        var counts = labels.bincount(null, classes);
        var countsCpu = counts.cpu().data<long>().ToArray();
        if (countsCpu.Length != classes)
            throw new InvalidOperationException($"{score}: labels reach class {countsCpu.Length - 1}, but the model has {classes} classes");
        for (int c = 0; c < classes; c++)
            if (countsCpu[c] < minimumPerClass)
                throw new InvalidOperationException(
                    $"{score}: class {c} has {countsCpu[c]} training sample(s); fitting needs at least {minimumPerClass} per class");
        var sums = zeros(classes, features.shape[1], dtype: features.dtype, device: features.device).index_add_(0, labels, features, 1.0);
        return (sums / counts.to_type(features.dtype).unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
