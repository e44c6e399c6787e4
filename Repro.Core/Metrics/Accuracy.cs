namespace Repro.Metrics;

public static class Accuracy
{
    /// <summary>Fraction of samples whose predicted class equals the label.</summary>
    public static double Compute(ReadOnlySpan<long> predictions, ReadOnlySpan<long> labels)
    {
        if (predictions.Length != labels.Length || labels.IsEmpty)
            throw new ArgumentException($"need equal, non-empty lengths (got {predictions.Length} and {labels.Length})");
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predictions[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }
}
