using System.Text.Json;

namespace Repro.Experiments;

/// <summary>
/// One row × OoD set of a <see cref="TableRow"/> as a line of the run's summary table and of a reference file (whose
/// flat shape it keeps): the own score's AUROC spread and FPR95, and ID accuracy.
/// </summary>
public sealed record RowSummary(string Row, string Score, string OodSet, int Seeds,
    double AurocMean, double AurocMin, double AurocMax, double Fpr95Mean, double AccuracyMean);

/// <summary>
/// Curated results of a full-budget run, committed under artifacts/reference/&lt;experiment&gt;.json with what was run
/// and how it was measured (card, date, the commit the units recorded, seeds, the definition version), so a small run
/// can be shown beside what the full budget gives — and labelled as another model's once the definition moves on.
/// </summary>
public sealed record ReferenceResults(string Experiment, string Description, string Device, string Date, string Commit, int[] Seeds,
    IReadOnlyList<RowSummary> Rows, int? DefinitionVersion = null)
{
    /// <summary>Summarizes finished units (device and commit as the units recorded them).</summary>
    public static ReferenceResults FromResults(string experiment, string description, IReadOnlyList<Runs.UnitResult> results,
        int? definitionVersion = null)
    {
        if (results.Count == 0) throw new ReproException($"no finished units to make a `{experiment}` reference from");
        var commits = results.Select(r => r.Versions.TryGetValue("commit", out var c) ? c : "unknown").Distinct().Order();
        return new ReferenceResults(experiment, description, string.Join("; ", results.Select(r => r.Device).Distinct()),
            results.Max(r => r.Finished).ToString("yyyy-MM-dd"), string.Join(", ", commits),
            results.Select(r => r.Seed).Distinct().Order().ToArray(), ResultTable.Summarize(results), definitionVersion);
    }

    public void Save(string path) =>
        Platform.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonFiles.Options));

    public static string PathFor(string repositoryRoot, string experiment) =>
        Path.Combine(repositoryRoot, "artifacts", "reference", $"{Platform.SafeName.Require(experiment, "reference")}.json");

    /// <summary>The committed reference, or null when none has been produced yet.</summary>
    public static ReferenceResults? TryLoad(string? repositoryRoot, string experiment)
    {
        if (repositoryRoot is null) return null;
        var path = PathFor(repositoryRoot, experiment);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ReferenceResults>(File.ReadAllText(path), JsonFiles.Options); }
        catch (JsonException e) { throw new DataFormatException(path, "reference results JSON", e.Message); }
    }
}
