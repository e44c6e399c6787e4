using System.Text.Json;

namespace Repro.Experiments;

/// <summary>An allowed interval for one aggregated cell, with why it is that wide.</summary>
public sealed record Band(string Row, string Metric, string? Ood, double Low, double High, string Reason)
{
    public const string AurocAverage = "auroc-avg";
    public const string AccuracyAverage = "accuracy-avg";
}

/// <summary>One of the paper's qualitative claims: left ≥ right + margin (15-seed average AUROCs).</summary>
public sealed record Claim(string Id, string Text, CellRef Left, CellRef Right, double Margin);

public sealed record CellRef(string Row, string Ood);

/// <summary>
/// The versioned tolerance file (experiments/&lt;name&gt;.bands.json) a reproduction is judged against. Bands we measured
/// ourselves (<see cref="MeasuredBands"/>) say where from in <see cref="Measured"/>.
/// </summary>
public sealed record ToleranceBands(string Definition, int Version, string Notes, IReadOnlyList<Band> Cells, IReadOnlyList<Claim> Claims,
    Measurement? Measured = null)
{
    /// <summary>experiments/x.json's bands live beside it as experiments/x.bands.json.</summary>
    public static string PathBeside(string definitionPath) => Path.ChangeExtension(definitionPath, ".bands.json");

    /// <summary>The bands beside a definition, or null when none have been made.</summary>
    public static ToleranceBands? TryLoadBeside(string definitionPath) =>
        File.Exists(PathBeside(definitionPath)) ? Load(PathBeside(definitionPath)) : null;

    public static ToleranceBands Load(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"tolerance bands {path} do not exist");
        try
        {
            var bands = JsonSerializer.Deserialize<ToleranceBands>(File.ReadAllText(path), JsonFiles.Options);
            if (bands?.Cells is null || bands.Claims is null) throw new DataFormatException(path, "cells and claims", "none");
            if (bands.Definition is null || bands.Notes is null)
                throw new DataFormatException(path, "tolerance bands with a definition name and notes", "none");
            foreach (var band in bands.Cells)
            {
                if (band is null || band.Row is null || !(band.Low <= band.High) || !double.IsFinite(band.High - band.Low) || string.IsNullOrWhiteSpace(band.Reason))
                    throw new DataFormatException(path, "every band with a row, finite low ≤ high and a reason", $"row {band?.Row} {band?.Metric} {band?.Ood}");
                if (!(band.Metric == Band.AurocAverage && band.Ood is not null || band.Metric == Band.AccuracyAverage))
                    throw new DataFormatException(path, $"every band's metric {Band.AurocAverage} (with an OoD set) or {Band.AccuracyAverage}",
                        $"'{band.Metric}' (row {band.Row}, ood {band.Ood ?? "none"})");
            }
            foreach (var claim in bands.Claims)
                if (claim is null || claim.Id is null || claim.Text is null || claim.Left?.Row is null || claim.Left.Ood is null
                    || claim.Right?.Row is null || claim.Right.Ood is null || !double.IsFinite(claim.Margin))
                    throw new DataFormatException(path, "every claim with an id, a text, left and right cells (row and OoD set) and a finite margin",
                        $"claim '{claim?.Id}'");
            return bands;
        }
        catch (JsonException e) { throw new DataFormatException(path, "tolerance bands JSON", e.Message); }
    }

    /// <summary>Bands judge only the definition version they were made for: a new version is a different model.</summary>
    public bool AppliesTo(ExperimentDefinition definition) => Definition == definition.Name && Version == definition.Version;

    /// <summary>The plain statement shown wherever bands of another version are found.</summary>
    public string NotApplicableNote(ExperimentDefinition definition, string path) =>
        $"No tolerance bands for `{definition.Name}` version {definition.Version} yet: {path} holds bands for `{Definition}` " +
        $"version {Version}, measured on a different model (see the definition's sources). They are shown for comparison, not " +
        "judged; measure the current version's on a GPU and make its bands from that run (docs/fmnist.md says how).";

    public void Save(string path) =>
        Platform.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonFiles.Options) + "\n");
}
