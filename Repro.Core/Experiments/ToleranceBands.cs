using System.Text.Json;
using System.Text.Json.Serialization;

namespace Repro.Experiments;

/// <summary>An allowed interval for one aggregated cell, with why it is that wide.</summary>
public sealed record Band(string Row, string Metric, string? Ood, double Low, double High, string Reason)
{
    public const string AurocAverage = "auroc-avg";
    public const string AccuracyAverage = "accuracy-avg";
}

/// <summary>
/// One of the paper's qualitative claims: the left cell's AUROC exceeds the right's by more than the margin — tested over
/// the seeds both share (bands format 2), or on the seeds' means (format 1); <see cref="ClaimVerdict"/> judges it.
/// </summary>
public sealed record Claim(string Id, string Text, CellRef Left, CellRef Right, double Margin);

public sealed record CellRef(string Row, string Ood);

/// <summary>
/// The versioned tolerance file (experiments/&lt;name&gt;.bands.json) a reproduction is judged against. Bands we measured
/// ourselves (<see cref="MeasuredBands"/>) say where from in <see cref="Measured"/>. <see cref="Format"/> says how its
/// claims are judged: 2, by a one-sided paired t-test at <see cref="Alpha"/>; 1 (a file without "format", from before
/// the test), on the seeds' means alone — still read, so an old file judges what it always judged, and says so.
/// </summary>
public sealed record ToleranceBands(string Definition, int Version, string Notes, IReadOnlyList<Band> Cells, IReadOnlyList<Claim> Claims,
    Measurement? Measured = null, [property: JsonPropertyOrder(-1)] int Format = 1, [property: JsonPropertyOrder(-1)] double? Alpha = null)
{
    public const int CurrentFormat = 2;
    public const double DefaultAlpha = 0.05;

    /// <summary>The claims' test level; format 2 without "alpha" tests at <see cref="DefaultAlpha"/>.</summary>
    [JsonIgnore] public double ClaimAlpha => Alpha ?? DefaultAlpha;

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
            if (bands.Format is not (1 or CurrentFormat))
                throw new DataFormatException(path, "'format' 1 (claims judged on the means) or 2 (by a one-sided paired t-test)", $"format {bands.Format}");
            if (bands.Format == 1 && bands.Alpha is not null)
                throw new DataFormatException(path, "'alpha' only with 'format': 2 (format 1 judges claims on the means, without a test)", FormattableString.Invariant($"alpha {bands.Alpha}"));
            if (bands.Alpha is { } alpha && !(alpha > 0 && alpha <= 0.5))
                throw new DataFormatException(path, "'alpha' in (0, 0.5]", FormattableString.Invariant($"alpha {alpha}"));
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
