using System.Text.Json;
using System.Text.Json.Nodes;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>The paper's reported AUROC spread over its seeds for one OoD set.</summary>
public sealed record PaperCell(double Min, double Max, double Avg);

/// <summary>What the paper reports for one row: AUROC per OoD set and mean ID accuracy.</summary>
public sealed record PaperRow(IReadOnlyDictionary<string, PaperCell> Auroc, double Accuracy);

/// <summary>One row of a versioned experiment definition: its config keys on top of the common ones, and the paper's numbers.</summary>
public sealed record RowDefinition(string Name, string Label, string Score, JsonObject Config, PaperRow? Paper);

/// <summary>
/// A versioned experiment definition file (experiments/&lt;name&gt;.json): every hyperparameter of every row, the seeds,
/// where each default comes from, and the paper's numbers beside them. Row configs are the common keys overlaid by the
/// row's own, validated as <see cref="RunConfig"/>s on load, so a typo fails naming the file and key.
/// </summary>
public sealed record ExperimentDefinition(
    string Name, int Version, string Source, int[] Seeds, IReadOnlyDictionary<string, string> OodSets,
    JsonObject Common, IReadOnlyDictionary<string, string> Sources, IReadOnlyList<RowDefinition> Rows)
{
    public static ExperimentDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"experiment definition {path} does not exist");
        ExperimentDefinition? definition;
        try { definition = JsonSerializer.Deserialize<ExperimentDefinition>(File.ReadAllText(path), RunConfig.Json); }
        catch (JsonException e) { throw new DataFormatException(path, "an experiment definition", $"{e.Message}"); }
        if (definition is null || definition.Rows is null || definition.Rows.Count == 0 || definition.Seeds is null || definition.Seeds.Length == 0)
            throw new DataFormatException(path, "an experiment definition with rows and seeds", "none");
        foreach (var row in definition.Rows)
        {
            try { definition.ConfigFor(row); }
            catch (ConfigException e) { throw new ConfigException(e.Key, $"{path}, row '{row.Name}': {e.Message}"); }
        }
        return definition;
    }

    /// <summary>The row's full config: common keys, then the row's, then its name and score.</summary>
    public RunConfig ConfigFor(RowDefinition row)
    {
        var merged = (JsonObject)Common.DeepClone();
        foreach (var (key, value) in row.Config) merged[key] = value?.DeepClone();
        merged["row"] = row.Name;
        merged["primaryScore"] = row.Score;
        return RunConfig.FromJson(merged.ToJsonString(), $"definition {Name}");
    }

    public RowDefinition Row(string name) =>
        Rows.FirstOrDefault(r => r.Name == name) ?? throw new ReproException($"definition {Name} has no row '{name}'");

    public Experiment ToExperiment() =>
        new(Name, $"{Source} (definition version {Version})", Rows.Select(ConfigFor).ToList(), Seeds, Name);
}
