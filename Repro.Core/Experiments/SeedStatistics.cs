using MathNet.Numerics.Distributions;

namespace Repro.Experiments;

/// <summary>A two-sided interval and the method that made it, so a table can say which.</summary>
public sealed record Interval(double Low, double High, string Method)
{
    public bool Contains(double value) => Low <= value && value <= High;
}

/// <summary>
/// Two rows compared on the seeds both finished: the mean of their per-seed differences (first − second) with its
/// interval, the exact sign-flip permutation p-value of "the difference is <see cref="Margin"/>", and how many seeds a
/// study would need to resolve a difference this far from the margin at 80% power.
/// </summary>
public sealed record PairedDifference(IReadOnlyList<int> Seeds, double MeanDifference, Interval Interval, double PValue,
    int? SeedsFor80PercentPower, double Margin = 0)
{
    /// <summary>
    /// "supported" when the whole interval lies above the margin, "contradicted" when below it, else "not resolved with
    /// n seeds" and how many would resolve a difference of this size.
    /// </summary>
    public string Resolution =>
        Interval.Low > Margin ? "supported"
        : Interval.High < Margin ? "contradicted"
        : $"not resolved with {Seeds.Count} seeds" + (SeedsFor80PercentPower is { } n ? $" (~{n} would resolve a difference this size at 80% power)" : "");

    /// <summary>
    /// One line for tables and the report, e.g. "paired over 5 seeds: mean difference +0.065, its interval [0.044, 0.086]
    /// (Student's t, 95%), sign-flip p = 0.063: supported".
    /// </summary>
    public string Describe() => FormattableString.Invariant(
        $"paired over {Seeds.Count} seeds: mean difference {MeanDifference:+0.000;−0.000;0.000}, its interval [{Interval.Low:0.000}, {Interval.High:0.000}] ({Interval.Method}), ") +
        FormattableString.Invariant($"sign-flip p {(PValue < 0.001 ? "< 0.001" : $"= {PValue:0.000}")}{(Margin != 0 ? $" against a difference of {Margin:0.000}" : "")}: {Resolution}");
}

/// <summary>
/// "first − second exceeds <see cref="Margin"/>" tested over the seeds both finished. H0: the mean paired difference is at
/// most the margin; H1: it is more. The one-sided paired Student's t-test decides (<see cref="Supported"/>: p &lt;
/// <see cref="Alpha"/>); the one-sided exact sign-flip p, which assumes only that a difference is as likely either side
/// of the margin under H0, is shown beside it and decides nothing.
/// </summary>
public sealed record OneSidedPairedTest(IReadOnlyList<int> Seeds, double MeanDifference, double Margin, double T, double PValue,
    double SignFlipPValue, double Alpha)
{
    public bool Supported => PValue < Alpha;

    /// <summary>
    /// One line naming the test, the seeds, α and both p-values, e.g. "supported: one-sided paired t over seeds 0–4
    /// (n = 5), difference +0.065 > margin 0.000, p < 0.001 < α = 0.05 (sign-flip p = 0.031)".
    /// </summary>
    public string Describe() => FormattableString.Invariant(
        $"{(Supported ? "supported" : "not supported")}: one-sided paired t over seeds {SeedStatistics.SeedList(Seeds)} (n = {Seeds.Count}), ") +
        FormattableString.Invariant(
        $"difference {MeanDifference:+0.000;−0.000;0.000} {(MeanDifference > Margin ? ">" : "≤")} margin {Margin:0.000}, ") +
        FormattableString.Invariant(
        $"p {SeedStatistics.FormatP(PValue, Alpha)} {(Supported ? "<" : "≥")} α = {Alpha:0.###} (sign-flip p {SeedStatistics.FormatP(SignFlipPValue, Alpha)})");
}

/// <summary>
/// Statistics over seeds for <see cref="SeedValues"/>: what the tables, the report and the claim verdicts need to say
/// how sure a mean or a difference is. Seeds are treated as independent draws of the training run; Student's t
/// (Student 1908) for intervals, the paired sign-flip permutation test (Fisher 1935; exact: every sign pattern is
/// enumerated) for p-values, which assumes only that a difference is as likely to have either sign under the null.
/// </summary>
public static class SeedStatistics
{
    public const double Level = 0.95;
    public const double Power = 0.80;
    /// <summary>2^24 sign patterns is the most enumerated exactly; beyond, a seeded Monte Carlo of <see cref="MonteCarloDraws"/>.</summary>
    public const int ExactUpTo = 24;
    public const int MonteCarloDraws = 200_000;

    /// <summary>The mean ± t(n−1, 0.975)·s/√n. Needs two seeds.</summary>
    public static Interval MeanInterval(SeedValues values) => TInterval(values.PerSeed.Select(v => v.Value).ToList());

    /// <param name="margin">The difference the p-value and the seed count are judged against (a claim's margin; 0: none).</param>
    public static PairedDifference Compare(SeedValues first, SeedValues second, double margin = 0)
    {
        var (seeds, differences) = Pair(first, second);
        double mean = differences.Average();
        return new PairedDifference(seeds, mean, TInterval(differences),
            SignFlipPValue(differences.Select(d => d - margin).ToList()), SeedsForPower(mean - margin, StandardDeviation(differences)), margin);
    }

    /// <summary>
    /// The one-sided paired test of "first − second &gt; <paramref name="margin"/>" at <paramref name="alpha"/> over the
    /// seeds both finished (a claim's test, bands format 2). Needs two seeds.
    /// </summary>
    public static OneSidedPairedTest TestAbove(SeedValues first, SeedValues second, double margin, double alpha)
    {
        var (seeds, differences) = Pair(first, second);
        double mean = differences.Average(), sd = StandardDeviation(differences);
        double t = (mean - margin) / (sd / Math.Sqrt(differences.Count));
        // Identical differences have no spread to test against: the margin is cleared for certain or not at all.
        double p = sd > 0 ? OneSidedTPValue(t, differences.Count - 1) : mean > margin ? 0 : 1;
        return new OneSidedPairedTest(seeds, mean, margin, t, p,
            OneSidedSignFlipPValue(differences.Select(d => d - margin).ToList()), alpha);
    }

    /// <summary>P(T ≥ t) for Student's t with <paramref name="degreesOfFreedom"/>: the one-sided upper-tail p-value.</summary>
    public static double OneSidedTPValue(double t, int degreesOfFreedom) =>
        // The lower tail at −t, by symmetry: 1 − CDF(t) would lose the small p-values to cancellation.
        StudentT.CDF(0, 1, degreesOfFreedom, -t);

    /// <summary>
    /// Two-sided p-value of the sign-flip test: the share of the 2^n sign patterns whose mean difference is at least as
    /// far from zero as the observed one (the observed pattern counts, so p ≥ 2^−n·2 when no difference is zero).
    /// </summary>
    public static double SignFlipPValue(IReadOnlyList<double> differences) => SignFlip(differences, oneSided: false);

    /// <summary>
    /// One-sided p-value of the sign-flip test against H1 "the differences are above zero": the share of the 2^n sign
    /// patterns whose sum is at least the observed one (the observed pattern counts, so p ≥ 2^−n).
    /// </summary>
    public static double OneSidedSignFlipPValue(IReadOnlyList<double> differences) => SignFlip(differences, oneSided: true);

    private static double SignFlip(IReadOnlyList<double> differences, bool oneSided)
    {
        int n = differences.Count;
        double Extremity(double sum) => oneSided ? sum : Math.Abs(sum);
        double observed = Extremity(differences.Sum());
        // Sums are compared with a relative tolerance: patterns that tie the observed sum in exact arithmetic must count.
        double tolerance = 1e-12 * Math.Max(1, differences.Sum(Math.Abs));
        if (n <= ExactUpTo)
        {
            long atLeast = 0, patterns = 1L << n;
            for (long pattern = 0; pattern < patterns; pattern++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += (pattern >> i & 1) == 1 ? -differences[i] : differences[i];
                if (Extremity(sum) >= observed - tolerance) atLeast++;
            }
            return atLeast / (double)patterns;
        }
        var random = new Random(0);
        long hits = 1;   // the observed pattern, so the estimate is never 0
        for (int draw = 0; draw < MonteCarloDraws; draw++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += random.Next(2) == 1 ? -differences[i] : differences[i];
            if (Extremity(sum) >= observed - tolerance) hits++;
        }
        return hits / (MonteCarloDraws + 1.0);
    }

    /// <summary>
    /// The smallest number of seeds n at which a two-sided paired t-test at 5% detects a true mean difference
    /// <paramref name="difference"/> with per-seed standard deviation <paramref name="standardDeviation"/> at 80% power,
    /// by the usual approximation n = ((t(n−1, 0.975) + t(n−1, 0.80))·σ/δ)², solved by iteration. Null when there is no
    /// difference to resolve (δ = 0) or no spread to estimate it from.
    /// </summary>
    public static int? SeedsForPower(double difference, double standardDeviation)
    {
        if (difference == 0 || !(standardDeviation > 0) || !double.IsFinite(difference)) return null;
        double ratio = standardDeviation / Math.Abs(difference);
        double Needed(double upper, double power) => Math.Pow((upper + power) * ratio, 2);
        // t quantiles exceed the normal ones, so the normal approximation's n is a lower bound to start from.
        double normal = Needed(Normal.InvCDF(0, 1, 1 - (1 - Level) / 2), Normal.InvCDF(0, 1, Power));
        if (normal > int.MaxValue / 2.0) return null;
        for (int n = Math.Max(2, (int)Math.Ceiling(normal)); ; n++)
            if (Needed(StudentT.InvCDF(0, 1, n - 1, 1 - (1 - Level) / 2), StudentT.InvCDF(0, 1, n - 1, Power)) <= n) return n;
    }

    /// <summary>Seeds as ascending runs, e.g. "0–4" or "0, 2, 5–7".</summary>
    public static string SeedList(IEnumerable<int> seeds)
    {
        var runs = new List<string>();
        var sorted = seeds.Distinct().Order().ToList();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            runs.Add(j == i ? $"{sorted[i]}" : j == i + 1 ? $"{sorted[i]}, {sorted[j]}" : $"{sorted[i]}–{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", runs);
    }

    /// <summary>
    /// "= 0.031" or "&lt; 0.001", with as many decimals as it takes for the printed p to fall on the same side of α as
    /// the p itself (0.04996 prints as 0.04996, not as 0.050 beside "&lt; α = 0.05").
    /// </summary>
    public static string FormatP(double p, double alpha)
    {
        if (p < 0.001) return "< 0.001";
        for (int decimals = 3; ; decimals++)
        {
            double shown = Math.Round(p, decimals);
            if (decimals == 8 || (shown < alpha) == (p < alpha))
                return "= " + shown.ToString("0.000" + new string('#', decimals - 3), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The seeds both finished, ascending, and first − second on each.</summary>
    private static (IReadOnlyList<int> Seeds, IReadOnlyList<double> Differences) Pair(SeedValues first, SeedValues second)
    {
        var other = second.PerSeed.ToDictionary(v => v.Seed, v => v.Value);
        var common = first.PerSeed.Where(v => other.ContainsKey(v.Seed)).OrderBy(v => v.Seed).ToList();
        if (common.Count < 2)
            throw new ArgumentException($"a paired comparison needs two seeds both rows finished, got {common.Count}");
        return (common.Select(v => v.Seed).ToList(), common.Select(v => v.Value - other[v.Seed]).ToList());
    }

    private static Interval TInterval(IReadOnlyList<double> values)
    {
        if (values.Count < 2) throw new ArgumentException($"an interval over seeds needs two seeds, got {values.Count}");
        double mean = values.Average();
        double half = StudentT.InvCDF(0, 1, values.Count - 1, 1 - (1 - Level) / 2) * StandardDeviation(values) / Math.Sqrt(values.Count);
        return new Interval(mean - half, mean + half, FormattableString.Invariant($"Student's t, {Level * 100:0}%"));
    }

    private static double StandardDeviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
