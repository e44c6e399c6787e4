using MathNet.Numerics.Distributions;
using Repro.Runs;

namespace Repro.Experiments;

/// <summary>One (row, seed) unit finished in both runs being compared.</summary>
public sealed record PairedUnit(string Row, int Seed, UnitResult First, UnitResult Second);

/// <summary>
/// One quantity of one row in both runs, seed by seed: an epoch's training loss ("loss@3"), the ID test accuracy
/// ("accuracy"), or the row's own score's AUROC on an OoD set ("auroc:mnist").
/// </summary>
public sealed record QuantityPairs(string Row, string Quantity, IReadOnlyList<(int Seed, double First, double Second)> Values)
{
    public IReadOnlyList<double> Differences => Values.Select(v => v.First - v.Second).ToList();

    /// <summary>Root mean square of the per-seed differences: how far apart the two runs are, whatever the sign.</summary>
    public double Rms => Math.Sqrt(Differences.Average(d => d * d));

    /// <summary>The mean difference over seeds with its interval and sign-flip p (null with fewer than two seeds).</summary>
    public PairedDifference? Paired => Values.Count < 2 ? null
        : SeedStatistics.Compare(Seeds(v => v.First), Seeds(v => v.Second));

    private SeedValues Seeds(Func<(int Seed, double First, double Second), double> pick) =>
        new(Values.Select(v => new SeedValue(v.Seed, pick(v))).ToList());
}

/// <summary>
/// Two runs of the same units compared seed by seed — stacked against separate, resumed against uninterrupted, bf16
/// against fp32, one machine against another. Units are paired by (row, seed); units only one side has are listed,
/// not compared.
/// </summary>
public sealed record RunComparison(IReadOnlyList<PairedUnit> Pairs, IReadOnlyList<string> OnlyFirst, IReadOnlyList<string> OnlySecond)
{
    public static RunComparison Of(IReadOnlyList<UnitResult> first, IReadOnlyList<UnitResult> second)
    {
        static string Key(UnitResult u) => $"{u.Row} seed {u.Seed}";
        var byKey = second.ToDictionary(Key);
        var pairs = first.Where(u => byKey.ContainsKey(Key(u))).OrderBy(u => u.Row, StringComparer.Ordinal).ThenBy(u => u.Seed)
            .Select(u => new PairedUnit(u.Row, u.Seed, u, byKey[Key(u)])).ToList();
        var firstKeys = first.Select(Key).ToHashSet();
        return new RunComparison(pairs, first.Select(Key).Where(k => !byKey.ContainsKey(k)).Order().ToList(),
            second.Select(Key).Where(k => !firstKeys.Contains(k)).Order().ToList());
    }

    public static RunComparison Of(string firstDir, string secondDir)
    {
        var comparison = Of(ResultsFolder.LoadFinished(firstDir), ResultsFolder.LoadFinished(secondDir));
        if (comparison.Pairs.Count == 0)
            throw new ReproException($"{firstDir} and {secondDir} have no (row, seed) unit in common to compare");
        return comparison;
    }

    /// <summary>Every quantity of every row, in row order: each epoch's loss, then accuracy, then the own score's AUROC per OoD set.</summary>
    public IReadOnlyList<QuantityPairs> Quantities()
    {
        var result = new List<QuantityPairs>();
        foreach (var row in Pairs.GroupBy(p => p.Row))
        {
            var units = row.ToList();
            int epochs = units.Min(p => Math.Min(p.First.Curve.Count, p.Second.Curve.Count));
            for (int e = 0; e < epochs; e++)
                result.Add(Of(row.Key, $"loss@{e + 1}", units, u => u.Curve[e].Loss));
            result.Add(Of(row.Key, "accuracy", units, u => u.Accuracy));
            foreach (var ood in units[0].First.Ood.Keys.Where(o => units.All(p => p.Second.Ood.ContainsKey(o))))
                result.Add(Of(row.Key, Equivalence.AurocPrefix + ood, units, u => u.Primary(ood).Auroc));
        }
        return result;
    }

    private static QuantityPairs Of(string row, string quantity, IEnumerable<PairedUnit> units, Func<UnitResult, double> value) =>
        new(row, quantity, units.Select(p => (p.Seed, value(p.First), value(p.Second))).ToList());
}

/// <summary>
/// Whether two runs differ by no more than the device's own nondeterminism: for each quantity, the differences of the
/// compared runs against those of a repeat (the same units trained twice the same way). If both are the device's
/// noise, their mean squares estimate one variance, and their ratio follows Fisher's F with (n, n_repeat) degrees of
/// freedom (differences taken about zero); a ratio beyond F's upper 1 − <see cref="Level"/>/m point, m the number of
/// quantities judged (Bonferroni), says the compared runs differ by more than the repeat can explain. A repeat that
/// came out bit-identical leaves no noise to compare with: then any difference fails.
/// </summary>
public sealed record NoiseCheck(string Row, string Quantity, double Rms, double RepeatRms, double Ratio, double PValue, bool WithinNoise)
{
    public const double Level = 0.05;

    public static IReadOnlyList<NoiseCheck> Judge(RunComparison compared, RunComparison repeat)
    {
        var noise = repeat.Quantities().ToDictionary(q => (q.Row, q.Quantity));
        var judged = compared.Quantities().Where(q => noise.ContainsKey((q.Row, q.Quantity))).ToList();
        if (judged.Count == 0) throw new ReproException("the repeat has none of the compared runs' rows and quantities: nothing to judge against");
        double threshold = Level / judged.Count;
        return judged.Select(q =>
        {
            var r = noise[(q.Row, q.Quantity)];
            double ms = q.Rms * q.Rms, repeatMs = r.Rms * r.Rms;
            if (repeatMs == 0)
                return new NoiseCheck(q.Row, q.Quantity, q.Rms, 0, ms == 0 ? 1 : double.PositiveInfinity, ms == 0 ? 1 : 0, ms == 0);
            double ratio = ms / repeatMs;
            double p = 1 - FisherSnedecor.CDF(q.Values.Count, r.Values.Count, ratio);
            return new NoiseCheck(q.Row, q.Quantity, q.Rms, r.Rms, ratio, p, p >= threshold);
        }).ToList();
    }
}

/// <summary>
/// Whether a change (bf16 for fp32, say) moves a row's AUROC by less than a margin: the paired difference's 95% interval
/// over seeds lies inside ±<see cref="Margin"/> (the two one-sided tests' reading of equivalence, at the interval's level).
/// </summary>
public sealed record Equivalence(string Row, string Quantity, PairedDifference Difference, double Margin)
{
    public bool Shown => Difference.Interval.Low > -Margin && Difference.Interval.High < Margin;

    /// <summary>Every row's own-score AUROC per OoD set, each against its margin (quantities without one are left out).</summary>
    public static IReadOnlyList<Equivalence> Judge(RunComparison comparison, Func<string, string, double?> margin) =>
        comparison.Quantities().Where(q => q.Quantity.StartsWith(AurocPrefix, StringComparison.Ordinal) && q.Paired is not null)
            .Select(q => margin(q.Row, q.Quantity) is { } m ? new Equivalence(q.Row, q.Quantity, q.Paired!, m) : null)
            .OfType<Equivalence>().ToList();

    /// <summary>
    /// Margins from tolerance bands: a third of each AUROC band's half-width. Measured bands are a mean ± 3 standard
    /// errors over seeds, so this is one standard error of the mean the band was built on — a change smaller than that
    /// cannot be told from reseeding in the bands' own terms. Rows and OoD sets without a band get none.
    /// </summary>
    public static Func<string, string, double?> MarginsFrom(ToleranceBands bands) => (row, quantity) =>
        bands.Cells.FirstOrDefault(b => b.Row == row && b.Metric == Band.AurocAverage && $"{AurocPrefix}{b.Ood}" == quantity) is { } band
            ? (band.High - band.Low) / 6
            : null;

    public const string AurocPrefix = "auroc:";
}
