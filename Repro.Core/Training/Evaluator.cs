using System.Diagnostics;
using Repro.Data;
using Repro.Model;
using Repro.Scores;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// Per-sample results of one data set through a trained model: every registered score, plus predictions; and, when
/// asked for, the penultimate features z (row-major [count, FeatureDim]).
/// </summary>
public sealed record SampleScores(string DataSet, long[] Labels, long[] Predictions, IReadOnlyDictionary<string, double[]> Scores,
    float[]? Features = null, int FeatureDim = 0);

/// <summary>
/// Runs data sets through a trained model: every score from the same forward pass, and the ID training pass the
/// fitted scores learn from.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Every score of every sample of <paramref name="set"/>, from one forward pass per batch. The fitted scores among
    /// <paramref name="scores"/> must be fitted; each score's compute time is added to <paramref name="seconds"/>.
    /// </summary>
    public static SampleScores Score(ResNet18 model, ImageSet set, DatasetInfo normalization, Device device, int batchSize,
        IReadOnlyList<IOodScore> scores, Dictionary<string, double>? seconds = null, bool keepFeatures = false)
    {
        var predictions = new long[set.Count];
        float[]? features = null;
        int featureDim = 0;
        var values = scores.ToDictionary(s => s.Name, _ => new double[set.Count]);
        ForEachBatch(model, set, normalization, device, batchSize, (start, size, output) =>
        {
            output.Logits.argmax(1).cpu().data<long>().CopyTo(predictions.AsSpan(start, size));
            if (keepFeatures)
            {
                featureDim = (int)output.Features.shape[1];
                features ??= new float[(long)set.Count * featureDim];
                output.Features.to_type(ScalarType.Float32).cpu().data<float>().CopyTo(features.AsSpan(start * featureDim, size * featureDim));
            }
            foreach (var score in scores)
            {
                var clock = Stopwatch.StartNew();
                var s = score.Compute(output).to_type(ScalarType.Float64).cpu();
                s.data<double>().CopyTo(values[score.Name].AsSpan(start, size));
                if (seconds is not null) seconds[score.Name] = seconds.GetValueOrDefault(score.Name) + clock.Elapsed.TotalSeconds;
            }
        });
        return new SampleScores(set.Name, set.Labels, predictions, values, features, featureDim);
    }

    /// <summary>
    /// The images a model trained on, seen as at test time, kept on the device for the fitted scores
    /// (<see cref="IFittedScore"/>): one pass, shared by all of them.
    /// </summary>
    public static IdTrainingFeatures IdTraining(ResNet18 model, ImageSet trainedImages, DatasetInfo normalization, Device device, int batchSize)
    {
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        try
        {
            ForEachBatch(model, trainedImages, normalization, device, batchSize, (_, _, output) =>
            {
                features.Add(output.Features.detach().clone().DetachFromDisposeScope());
                logits.Add(output.Logits.detach().clone().DetachFromDisposeScope());
            });
            var (weight, bias) = model.Classifier;
            return new IdTrainingFeatures(cat(features, 0), cat(logits, 0), tensor(trainedImages.Labels, device: device),
                weight.detach().clone(), bias.detach().clone());
        }
        finally
        {
            foreach (var t in features.Concat(logits)) t.Dispose();
        }
    }

    /// <summary>Evaluation mode (BatchNorm running statistics, train-only normalization off), no gradients, in batches.</summary>
    private static void ForEachBatch(ResNet18 model, ImageSet set, DatasetInfo normalization, Device device, int batchSize,
        Action<int, int, ModelOutput> onBatch)
    {
        model.eval();
        using var noGrad = no_grad();
        using var pixels = set.PixelTensor(CPU);
        for (int start = 0; start < set.Count; start += batchSize)
        {
            int size = Math.Min(batchSize, set.Count - start);
            using var scope = NewDisposeScope();
            var x = Trainer.ForDevice(Augmentation.Normalize(pixels.narrow(0, start, size).to(device), normalization));
            using var output = model.call(x);
            onBatch(start, size, output);
        }
    }
}
