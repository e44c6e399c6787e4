using Repro.Runs;

namespace Repro.Experiments;

/// <summary>One seed's value of a quantity.</summary>
public sealed record SeedValue(int Seed, double Value);

/// <summary>
/// Min, max and mean over seeds, where the seeds' own values are not at hand: what the paper reports (experiments/*.json
/// "paper"), and what <see cref="SeedValues"/> shows of ours beside it.
/// </summary>
public sealed record Spread(double Min, double Max, double Avg);

/// <summary>
/// The one aggregation over seeds: a quantity (a score's AUROC on an OoD set, FPR95, accuracy) for each finished seed,
/// with its min, max, mean and standard deviation. The tables, the report, references and measured bands all read it.
/// </summary>
public sealed record SeedValues(IReadOnlyList<SeedValue> PerSeed)
{
    public static SeedValues Of(IEnumerable<UnitResult> units, Func<UnitResult, double> value) =>
        new(units.Select(u => new SeedValue(u.Seed, value(u))).ToList());

    public int Count => PerSeed.Count;
    public double Min => PerSeed.Min(v => v.Value);
    public double Max => PerSeed.Max(v => v.Value);
    public double Mean => PerSeed.Average(v => v.Value);

    /// <summary>Null when no seed has finished: a missing cell, never a zero.</summary>
    public Spread? Spread => Count == 0 ? null : new(Min, Max, Mean);

    /// <summary>This quantity minus <paramref name="other"/>, seed by seed, on the seeds both have.</summary>
    public SeedValues Minus(SeedValues other)
    {
        var theirs = other.PerSeed.ToDictionary(v => v.Seed, v => v.Value);
        return new(PerSeed.Where(v => theirs.ContainsKey(v.Seed)).Select(v => new SeedValue(v.Seed, v.Value - theirs[v.Seed])).ToList());
    }

    /// <summary>Sample standard deviation (n − 1); needs two seeds.</summary>
    public double StandardDeviation
    {
        get
        {
            double mean = Mean;
            return Math.Sqrt(PerSeed.Sum(v => (v.Value - mean) * (v.Value - mean)) / (Count - 1));
        }
    }
}
