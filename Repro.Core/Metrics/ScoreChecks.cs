namespace Repro.Metrics;

internal static class ScoreChecks
{
    /// <summary>Metrics are undefined on an empty side or on NaN scores; say so rather than return NaN.</summary>
    public static void Require(ReadOnlySpan<double> positives, ReadOnlySpan<double> negatives)
    {
        if (positives.IsEmpty || negatives.IsEmpty)
            throw new ArgumentException($"both score sets must be non-empty (got {positives.Length} and {negatives.Length})");
        foreach (var s in positives) if (double.IsNaN(s)) throw new ArgumentException("score is NaN");
        foreach (var s in negatives) if (double.IsNaN(s)) throw new ArgumentException("score is NaN");
    }
}
