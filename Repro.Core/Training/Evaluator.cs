using Repro.Data;
using Repro.Model;
using Repro.Scores;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>Per-sample results of one data set through a trained model: every registered score, plus predictions.</summary>
public sealed record SampleScores(string DataSet, long[] Labels, long[] Predictions, IReadOnlyDictionary<string, double[]> Scores);

/// <summary>
/// Runs a data set through the model in evaluation mode (BatchNorm running statistics, train-only normalization off)
/// without gradients, and computes every score from the same forward pass.
/// </summary>
public static class Evaluator
{
    public static SampleScores Score(ResNet18 model, ImageSet set, DatasetInfo normalization, Device device, int batchSize,
        IReadOnlyList<IOodScore>? scores = null)
    {
        scores ??= ScoreRegistry.All;
        model.eval();
        using var noGrad = no_grad();
        using var pixels = set.PixelTensor(CPU);
        var predictions = new long[set.Count];
        var values = scores.ToDictionary(s => s.Name, _ => new double[set.Count]);
        for (int start = 0; start < set.Count; start += batchSize)
        {
            int size = Math.Min(batchSize, set.Count - start);
            using var scope = NewDisposeScope();
            var x = Trainer.ForDevice(Augmentation.Normalize(pixels.narrow(0, start, size).to(device), normalization));
            using var output = model.call(x);
            output.Logits.argmax(1).cpu().data<long>().CopyTo(predictions.AsSpan(start, size));
            foreach (var score in scores)
            {
                var s = score.Compute(output).to_type(ScalarType.Float64).cpu();
                s.data<double>().CopyTo(values[score.Name].AsSpan(start, size));
            }
        }
        return new SampleScores(set.Name, set.Labels, predictions, values);
    }
}
