using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>What the paper reports for one row: the AUROC's spread over its seeds per OoD set, and mean ID accuracy.</summary>
public sealed record PaperRow(IReadOnlyDictionary<string, Spread> Auroc, double Accuracy);

/// <summary>
/// One row of a versioned experiment definition: its config keys on top of the common ones, the score it is judged by,
/// and the paper's numbers. A row with <see cref="ModelOf"/> trains nothing: it judges the units of that row by its own
/// score (one trained model, two rows of the table).
/// </summary>
public sealed record RowDefinition(string Name, string Label, string Score, JsonObject? Config, PaperRow? Paper, string? ModelOf = null)
{
    /// <summary>Config axes this row is swept over (<see cref="Experiments.Sweep"/>); a loaded definition holds their cells instead.</summary>
    public JsonObject? Axes { get; init; }

    /// <summary>How <see cref="Axes"/> combine: "grid" (every combination, the default) or "one-at-a-time" (from the first levels).</summary>
    public string? Sweep { get; init; }

    /// <summary>Where a row expanded from a sweep sits; null for a row written as it is.</summary>
    [JsonIgnore] public SweepCell? Cell { get; init; }

    /// <summary>The row whose units this row reads: its own, or <see cref="ModelOf"/>'s.</summary>
    public string UnitRow => ModelOf ?? Name;
}

/// <summary>
/// A versioned experiment definition file (experiments/&lt;name&gt;.json): every hyperparameter of every row, the seeds,
/// where each default comes from, and the paper's numbers beside them. Row configs are the common keys overlaid by the
/// row's own, validated as <see cref="RunConfig"/>s on load, so a typo fails naming the file and key. A definition with
/// a <see cref="Reference"/> (the quickstart's) is shown beside that experiment's committed full-budget results
/// instead of in the paper's shape.
/// </summary>
public sealed record ExperimentDefinition(
    string Name, int Version, string Source, int[] Seeds, IReadOnlyDictionary<string, string> OodSets,
    JsonObject Common, IReadOnlyDictionary<string, string> Sources, IReadOnlyList<RowDefinition> Rows, string? Reference = null)
{
    /// <summary>The score an ablation's effect plots show beside each row's own (default MSP).</summary>
    public string SecondScore { get; init; } = "msp";

    /// <summary>Published results shown beside ours, each with its source (OpenOOD's leaderboard); null for none.</summary>
    public Leaderboard? Leaderboard { get; init; }

    /// <summary>
    /// The OoD labels that two or more sets share (OpenOOD's "near-OoD" and "far-OoD"), each with its sets in order: the
    /// tables show each as a column of its own, the mean over its sets (<see cref="ScoreSeeds.MeanOver"/>).
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OodGroups =>
        OodSets.GroupBy(kv => kv.Value).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(kv => kv.Key).ToList());

    /// <summary>The tables' OoD columns, each with its label: every set, then every group's mean (<see cref="OodGroups"/>).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> Columns =>
        OodSets.Concat(OodGroups.Select(g => KeyValuePair.Create(g.Key, $"mean of {string.Join(", ", g.Value)}")))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>experiments/&lt;name&gt;.json in the repository.</summary>
    public static string PathOf(string repositoryRoot, string name) => Path.Combine(repositoryRoot, "experiments", $"{name}.json");

    /// <summary>
    /// The file a user means by <paramref name="nameOrFile"/>: a definition file by its path, or a committed one by its
    /// name (experiments/NAME.json, e.g. "quick"); anything else is an error listing the committed ones.
    /// </summary>
    public static string Locate(string nameOrFile)
    {
        if (File.Exists(nameOrFile)) return nameOrFile;
        var repo = Data.DataPaths.RepositoryRoot();
        if (repo is not null && Platform.SafeName.IsValid(nameOrFile) && File.Exists(PathOf(repo, nameOrFile))) return PathOf(repo, nameOrFile);
        throw new ReproException($"no definition '{nameOrFile}': not a file, nor a committed definition" +
                                 (repo is null ? "" : $" ({string.Join(", ", Names(repo))})"));
    }

    /// <summary>The committed definition called <paramref name="name"/> (e.g. "quick"), or an error listing those there are.</summary>
    public static ExperimentDefinition LoadNamed(string name)
    {
        Platform.SafeName.Require(name, "definition");
        var repo = Data.DataPaths.RepositoryRoot() ?? throw new ReproException($"no repository found to read experiments/{name}.json from");
        var path = PathOf(repo, name);
        if (!File.Exists(path))
            throw new ConfigException("definition", $"no experiments/{name}.json; known: {string.Join(", ", Names(repo))}");
        return Load(path);
    }

    /// <summary>The committed definitions' names (experiments/*.json, bands files aside).</summary>
    public static IReadOnlyList<string> Names(string repositoryRoot) =>
        Directory.EnumerateFiles(Path.Combine(repositoryRoot, "experiments"), "*.json")
            .Where(f => !f.EndsWith(".bands.json", StringComparison.Ordinal)).Select(Path.GetFileNameWithoutExtension).OfType<string>().Order().ToList();

    public static ExperimentDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"experiment definition {path} does not exist");
        ExperimentDefinition? definition;
        try { definition = JsonSerializer.Deserialize<ExperimentDefinition>(File.ReadAllText(path), JsonFiles.Options); }
        catch (JsonException e) { throw new DataFormatException(path, "an experiment definition", $"{e.Message}"); }
        if (definition is null || definition.Rows is null || definition.Rows.Count == 0 || definition.Seeds is null || definition.Seeds.Length == 0)
            throw new DataFormatException(path, "an experiment definition with rows and seeds", "none");
        var missing = new (string Key, object? Value)[]
        {
            ("source", definition.Source), ("oodSets", definition.OodSets), ("common", definition.Common), ("sources", definition.Sources),
        }.Where(m => m.Value is null).Select(m => m.Key).Concat(definition.Rows.Select((r, i) =>
            r is null ? $"rows[{i}]" : r.Label is null ? $"rows[{i}].label" : r.Score is null ? $"rows[{i}].score" : null).OfType<string>()).ToList();
        if (missing.Count > 0) throw new DataFormatException(path, "an experiment definition with every required key", $"no {string.Join(", ", missing)}");
        if (!Scores.ScoreRegistry.Names.Contains(definition.SecondScore))
            throw new ConfigException("secondScore", $"{path}: must be one of {string.Join(", ", Scores.ScoreRegistry.Names)}, got '{definition.SecondScore}'");
        definition = definition with { Rows = definition.Rows.SelectMany(r => Sweep.Expand(r, path)).ToList() };
        // Each of these names a folder or file: runs/<name>-<time>, artifacts/reference/<reference>.json, <out>/<row>/.
        Platform.SafeName.Require(definition.Name, "name", path);
        if (definition.Reference is { } reference) Platform.SafeName.Require(reference, "reference", path);
        if (definition.Seeds.FirstOrDefault(s => s < 0) is var negative && negative < 0)
            throw new ConfigException("seeds", $"{path}: must be ≥ 0, got {negative}");
        if (definition.Seeds.Distinct().Count() != definition.Seeds.Length)
            throw new ConfigException("seeds", $"{path}: must be distinct, got [{string.Join(", ", definition.Seeds)}]");
        foreach (var row in definition.Rows)
        {
            Platform.SafeName.Require(row.Name, "rows[].name", path);
            if (definition.Rows.Count(r => r.Name == row.Name) > 1)
                throw new DataFormatException(path, "rows with distinct names", $"two rows named '{row.Name}'");
            if (row.ModelOf is { } model)
            {
                if (definition.Rows.FirstOrDefault(r => r.Name == model) is not { ModelOf: null })
                    throw new DataFormatException(path, $"row '{row.Name}': modelOf naming a row that trains its own model", $"'{model}'");
                if (row.Config is { Count: > 0 })
                    throw new DataFormatException(path, $"row '{row.Name}': no config (it scores the units of '{model}')", "config keys");
            }
            else if (row.Config is null)
                throw new DataFormatException(path, $"row '{row.Name}': a config (or modelOf)", "neither");
            try { definition.ConfigFor(row); }
            catch (ConfigException e) { throw new ConfigException(e.Key, $"{path}, row '{row.Name}': {e.Problem}"); }
        }
        // The table's columns: OoD sets the rows are evaluated on, each with its label.
        var evaluated = definition.TrainedRows.SelectMany(r => definition.ConfigFor(r).OodSets).ToHashSet();
        var odd = definition.OodSets.Where(kv => !evaluated.Contains(kv.Key) || kv.Value is null).Select(kv => kv.Key).FirstOrDefault();
        if (definition.OodSets.Count == 0 || odd is not null)
            throw new ConfigException("oodSets", $"{path}: must map OoD sets the rows are evaluated on ({string.Join(", ", evaluated)}) to labels, " +
                                                 $"got {(odd is null ? "none" : $"'{odd}'")}");
        if (definition.OodGroups.Keys.FirstOrDefault(definition.OodSets.ContainsKey) is { } clash)
            throw new ConfigException("oodSets", $"{path}: '{clash}' names both a set and the label of a group of sets");
        definition.Leaderboard?.Validate(path, definition.Columns.Keys);
        return definition;
    }

    /// <summary>
    /// The row's full config: common keys, then the row's, then its name and score. For a row that scores another's
    /// model, that row's config (and unit name) with this row's score.
    /// </summary>
    public RunConfig ConfigFor(RowDefinition row)
    {
        var trained = row.ModelOf is { } model ? Row(model) : row;
        var merged = (JsonObject)Common.DeepClone();
        foreach (var (key, value) in trained.Config ?? []) merged[key] = value?.DeepClone();
        merged["row"] = trained.Name;
        merged["primaryScore"] = row.Score;
        return RunConfig.FromJson(merged.ToJsonString(), $"definition {Name}");
    }

    /// <summary>
    /// The seeds a results folder plans for this definition: a small run shown beside a reference (the quickstart)
    /// plans the seeds it was asked for (--seeds), as its manifest recorded; a reproduction plans its definition's seeds,
    /// whatever one shard ran, and any seeds runs into the folder added beyond them (--seeds: more seeds where the
    /// statistics ask for them). The report and `repro table` both count finished and missing seeds against it.
    /// </summary>
    public ExperimentDefinition PlannedIn(string resultsDir)
    {
        if (Runs.ResultsManifest.TryLoad(resultsDir) is not { } manifest || manifest.Definition != Name || manifest.Seeds.Count == 0) return this;
        return this with { Seeds = Reference is not null ? [.. manifest.Seeds] : [.. Seeds.Union(manifest.Seeds)] };
    }

    public RowDefinition Row(string name) =>
        Rows.FirstOrDefault(r => r.Name == name) ?? throw new ReproException($"definition {Name} has no row '{name}'");

    /// <summary>The rows that train a model of their own: the units are these rows × the seeds.</summary>
    public IEnumerable<RowDefinition> TrainedRows => Rows.Where(r => r.ModelOf is null);

    public Experiment ToExperiment() =>
        new(Name, $"{Source} (definition version {Version})", TrainedRows.Select(ConfigFor).ToList(), Seeds, Name);
}
