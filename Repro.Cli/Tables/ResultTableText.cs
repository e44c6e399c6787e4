using System.Globalization;
using System.Text;
using Repro.Experiments;

namespace Repro.Cli.Tables;

/// <summary>The quickstart's table: a run's rows beside a full-budget reference, as the command line prints it.</summary>
public static class ResultTableText
{
    /// <summary>
    /// This run's numbers and, beside them, the reference of the full-budget definition (or a plain statement that none
    /// exists yet), with a legend saying which numbers are which. A reference measured under another version of the
    /// definition than <paramref name="currentVersion"/> is labelled with its version as another model's numbers.
    /// </summary>
    public static string Format(string title, IReadOnlyList<RowSummary> rows, ReferenceResults? reference, string? referenceName,
        int? currentVersion = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine(title);
        bool stale = reference is not null && currentVersion is not null && reference.DefinitionVersion != currentVersion;
        var prefix = stale ? $"v{reference!.DefinitionVersion?.ToString() ?? "?"} ref" : "ref";
        var header = new List<string> { "row", "score", "OoD set", "seeds", "AUROC", "FPR95", "ID acc" };
        if (reference is not null) header.AddRange([$"{prefix} AUROC (min–max)", $"{prefix} FPR95", $"{prefix} ID acc"]);
        var lines = new List<string[]>();
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Row, r.Score, r.OodSet, r.Seeds.ToString(), F(r.AurocMean), F(r.Fpr95Mean), Pct(r.AccuracyMean) };
            if (reference is not null)
            {
                var refRow = reference.Rows.FirstOrDefault(x => x.Row == r.Row && x.OodSet == r.OodSet);
                cells.AddRange(refRow is null
                    ? ["—", "—", "—"]
                    : [$"{F(refRow.AurocMean)} ({F(refRow.AurocMin)}–{F(refRow.AurocMax)})", F(refRow.Fpr95Mean), Pct(refRow.AccuracyMean)]);
            }
            lines.Add(cells.ToArray());
        }
        TextTable.Append(sb, header, lines);
        sb.AppendLine();
        sb.AppendLine("AUROC / FPR95 / ID acc: this run (mean over its seeds; ID = in-distribution test set, higher score = more ID).");
        if (reference is not null)
        {
            sb.AppendLine($"{prefix} columns: the full-budget `{reference.Experiment}` run — {reference.Description} — {reference.Seeds.Length} seeds, " +
                          $"{reference.Device}, {reference.Date}, commit {reference.Commit}; not this run.");
            if (stale)
                sb.AppendLine($"They were measured under `{reference.Experiment}` definition version {reference.DefinitionVersion?.ToString() ?? "(unrecorded)"}, " +
                              $"a different model from the current version {currentVersion}, which has no reference yet (it is re-measured on a GPU: " +
                              "scripts/gpu-session.sh, then `repro reference`). Read them as orientation, not as what the current code gives.");
        }
        else if (referenceName is not null)
            sb.AppendLine($"Reference: no full-budget `{referenceName}` results exist yet (they are produced on a GPU and committed " +
                          $"under artifacts/reference/{referenceName}.json by `repro reference`).");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Pct(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
