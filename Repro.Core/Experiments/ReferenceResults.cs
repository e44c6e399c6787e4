using System.Text.Json;

namespace Repro.Experiments;

/// <summary>Summary of one row over seeds: the primary score's AUROC spread and FPR95, and ID accuracy.</summary>
public sealed record RowSummary(string Row, string Score, string OodSet, int Seeds,
    double AurocMean, double AurocMin, double AurocMax, double Fpr95Mean, double AccuracyMean);

/// <summary>
/// Curated results of a full-budget run, committed under artifacts/reference/&lt;preset&gt;.json with how they were
/// measured (card, date, commit, seeds), so a small run can be shown beside what the full budget gives.
/// </summary>
public sealed record ReferenceResults(string Preset, string Device, string Date, string Commit, int[] Seeds,
    IReadOnlyList<RowSummary> Rows)
{
    /// <summary>Summarizes finished units of a preset into a reference record (device as the units recorded it).</summary>
    public static ReferenceResults FromResults(string preset, IReadOnlyList<Runs.UnitResult> results, string commit)
    {
        if (results.Count == 0) throw new ReproException($"no finished units to make a `{preset}` reference from");
        var devices = results.Select(r => r.Device).Distinct().ToList();
        return new ReferenceResults(preset, string.Join("; ", devices),
            results.Max(r => r.Finished).ToString("yyyy-MM-dd"), commit,
            results.Select(r => r.Seed).Distinct().Order().ToArray(), ResultTable.Summarize(results));
    }

    public void Save(string path) =>
        Runs.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Training.RunConfig.Json));

    public static string PathFor(string repositoryRoot, string preset) =>
        Path.Combine(repositoryRoot, "artifacts", "reference", $"{preset}.json");

    /// <summary>The committed reference, or null when none has been produced yet.</summary>
    public static ReferenceResults? TryLoad(string? repositoryRoot, string preset)
    {
        if (repositoryRoot is null) return null;
        var path = PathFor(repositoryRoot, preset);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ReferenceResults>(File.ReadAllText(path), Training.RunConfig.Json); }
        catch (JsonException e) { throw new DataFormatException(path, "reference results JSON", e.Message); }
    }
}
