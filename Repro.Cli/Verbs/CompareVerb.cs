using Repro.Cli.Tables;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro compare`: two runs of the same units side by side, seed by seed, with paired statistics.</summary>
internal static class CompareVerb
{
    public static Command Create()
    {
        var first = new Argument<string>("FIRST") { Description = "a results folder" };
        var second = new Argument<string>("SECOND") { Description = "a results folder with units of the same rows and seeds" };
        var repeat = new Option<string[]?>("--repeat")
        {
            Description = "two results folders of the same units trained twice the same way: their differences are the device's " +
                          "own noise, and FIRST − SECOND is judged against it, quantity by quantity (F test of mean squares, Bonferroni)",
            HelpName = "A,B",
            CustomParser = result =>
            {
                var parts = result.Tokens.Count == 1 ? result.Tokens[0].Value.Split(',') : [];
                if (parts.Length == 2) return parts;
                CommonOptions.Refuse(result, "--repeat", "two results folders as A,B");
                return null;
            },
        };
        var margin = new Option<string?>("--equivalence")
        {
            Description = "judge each AUROC's paired difference as equivalent when the 95% interval of its mean over the seeds lies inside ±MARGIN; " +
                          "a bands file instead of a number gives each cell a third of its band's half-width (one standard error of a measured band's mean)",
            HelpName = "MARGIN|FILE.bands.json",
        };
        var command = new Command("compare", "two runs of the same units side by side: per seed the epoch losses, ID accuracy and " +
                                             "the row's own AUROC, then per row the paired differences over seeds")
            { first, second, repeat, margin };
        command.SetAction(parse =>
        {
            string a = parse.GetRequiredValue(first), b = parse.GetRequiredValue(second);
            var comparison = RunComparison.Of(a, b);
            var repeatDirs = parse.GetValue(repeat) is { Length: 2 } given ? given : null;
            var noise = repeatDirs is null ? null : NoiseCheck.Judge(comparison, RunComparison.Of(repeatDirs[0], repeatDirs[1]));
            var equivalence = parse.GetValue(margin) is { } m ? Equivalence.Judge(comparison, Margins(m)) : null;
            Console.Write(Format(a, b, comparison, noise, repeatDirs, equivalence));
            bool fails = noise?.Any(c => !c.WithinNoise) == true || equivalence?.Any(e => !e.Shown) == true;
            return fails ? ExitCodes.NotWithin : ExitCodes.Ok;
        });
        return command;
    }

    private static Func<string, string, double?> Margins(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var fixedMargin))
            return fixedMargin is > 0 and < 1 ? (_, _) => fixedMargin
                : throw new ConfigException("equivalence", $"expected a margin in (0, 1) or a bands file, got {value}");
        return Equivalence.MarginsFrom(ToleranceBands.Load(value));
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
    private static string Signed(double v) => v.ToString("+0.0000;−0.0000;0.0000", CultureInfo.InvariantCulture);

    public static string Format(string a, string b, RunComparison comparison, IReadOnlyList<NoiseCheck>? noise, string[]? repeatDirs,
        IReadOnlyList<Equivalence>? equivalence)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"FIRST  = {a}");
        sb.AppendLine($"SECOND = {b}");
        if (comparison.OnlyFirst.Count > 0) sb.AppendLine($"only in FIRST (not compared): {string.Join(", ", comparison.OnlyFirst)}");
        if (comparison.OnlySecond.Count > 0) sb.AppendLine($"only in SECOND (not compared): {string.Join(", ", comparison.OnlySecond)}");
        var quantities = comparison.Quantities();
        foreach (var row in quantities.GroupBy(q => q.Row))
        {
            sb.AppendLine();
            sb.AppendLine($"{row.Key}: per seed, FIRST / SECOND (difference)");
            var columns = row.ToList();
            var seeds = columns[0].Values.Select(v => v.Seed).ToList();
            TextTable.Append(sb, columns.Select(q => q.Quantity).Prepend("seed").ToList(),
                seeds.Select((seed, i) => (IReadOnlyList<string>)columns
                    .Select(q => $"{F(q.Values[i].First)} / {F(q.Values[i].Second)} ({Signed(q.Values[i].First - q.Values[i].Second)})")
                    .Prepend(seed.ToString(CultureInfo.InvariantCulture)).ToList()));
        }
        var paired = quantities.Where(q => !q.Quantity.StartsWith("loss@", StringComparison.Ordinal) && q.Paired is not null).ToList();
        if (paired.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("FIRST − SECOND over seeds (ID accuracy; the row's own score's AUROC per OoD set), the mean with its 95% interval:");
            TextTable.Append(sb, ["row", "quantity", "difference"],
                paired.Select(q => (IReadOnlyList<string>)[q.Row, q.Quantity, q.Paired!.Describe()]));
        }
        if (noise is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"against the device's own noise: the same units trained twice, {repeatDirs![0]} − {repeatDirs[1]}");
            sb.AppendLine($"(RMS of the per-seed differences; F = mean-square ratio; within noise when p ≥ {NoiseCheck.Level} / {noise.Count} quantities)");
            TextTable.Append(sb, ["row", "quantity", "RMS", "repeat RMS", "F", "p", "verdict"],
                noise.Select(c => (IReadOnlyList<string>)[c.Row, c.Quantity, F(c.Rms), F(c.RepeatRms),
                    double.IsPositiveInfinity(c.Ratio) ? "∞" : c.Ratio.ToString("0.00", CultureInfo.InvariantCulture),
                    c.PValue.ToString("0.000", CultureInfo.InvariantCulture),
                    c.WithinNoise ? "within noise" : c.RepeatRms == 0 ? "DIFFERS (the repeat was bit-identical)" : "BEYOND NOISE"]));
            sb.AppendLine(noise.All(c => c.WithinNoise)
                ? $"verdict: FIRST and SECOND differ by no more than the device's own noise in all {noise.Count} quantities"
                : $"verdict: {noise.Count(c => !c.WithinNoise)} of {noise.Count} quantities differ by more than the device's own noise");
        }
        if (equivalence is { Count: > 0 })
        {
            sb.AppendLine();
            sb.AppendLine("equivalence: the 95% interval of the mean FIRST − SECOND over the paired seeds (Student's t) inside ±margin");
            TextTable.Append(sb, ["row", "quantity", "interval", "margin", "verdict"],
                equivalence.Select(e => (IReadOnlyList<string>)[e.Row, e.Quantity,
                    $"[{Signed(e.Difference.Interval.Low)}, {Signed(e.Difference.Interval.High)}]", $"±{F(e.Margin)}",
                    e.Shown ? "equivalent" : "NOT SHOWN"]));
            sb.AppendLine(equivalence.All(e => e.Shown)
                ? $"verdict: FIRST is equivalent to SECOND in all {equivalence.Count} AUROCs"
                : $"verdict: equivalence not shown for {string.Join(", ", equivalence.Where(e => !e.Shown).Select(e => $"{e.Row} {e.Quantity}"))}");
        }
        return sb.ToString();
    }
}
