using Repro.Platform;
using System.Text.Json;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// experiment.json at the top of a results folder: which experiment the folder is for (rows, seeds, definition), so
/// a reader — the report, a merge of shards — knows what is planned and can say what is missing, not only what
/// finished. Runs into the same folder add their seeds; a row whose config changed is refused, as for units (the device
/// may differ: it says where a row ran, not what it is).
/// </summary>
public sealed record ResultsManifest(string Name, string Description, string? Definition, IReadOnlyList<int> Seeds,
    IReadOnlyList<RunConfig> Rows)
{
    public const string FileName = "experiment.json";

    public static ResultsManifest? TryLoad(string resultsDir)
    {
        var path = Path.Combine(resultsDir, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var manifest = JsonSerializer.Deserialize<ResultsManifest>(File.ReadAllText(path), JsonFiles.Options);
            if (manifest?.Rows is null || manifest.Seeds is null || manifest.Name is null)
                throw new DataFormatException(path, "an experiment manifest with a name, seeds and rows", "none");
            foreach (var row in manifest.Rows)
            {
                try { row.Validate(); }
                catch (ConfigException e) { throw new DataFormatException(path, "an experiment manifest of valid row configs", e.Message); }
            }
            return manifest;
        }
        catch (JsonException e) { throw new DataFormatException(path, "an experiment manifest (experiment.json)", e.Message); }
    }

    /// <summary>Writes <paramref name="mine"/> into the folder, merged with the manifest already there.</summary>
    public static ResultsManifest Record(string resultsDir, ResultsManifest mine) => Merge(resultsDir, mine);

    /// <summary>
    /// Merges <paramref name="mine"/> into the folder's manifest (seeds united, new rows added), under the folder's
    /// "experiment" claim so concurrent runners or merges do not lose each other's seeds.
    /// </summary>
    public static ResultsManifest Merge(string resultsDir, ResultsManifest mine)
    {
        using var claim = UnitClaim.Acquire(resultsDir, "experiment", TimeSpan.FromSeconds(30));
        var existing = TryLoad(resultsDir);
        if (existing is not null)
        {
            foreach (var row in mine.Rows)
                existing.Rows.FirstOrDefault(r => r.Row == row.Row)?.RequireSameRecipe(row, differences =>
                    $"{Path.Combine(resultsDir, FileName)}: row '{row.Row}' was run here with a different config ({differences}); use another results folder");
            mine = existing with
            {
                Seeds = existing.Seeds.Union(mine.Seeds).Order().ToList(),
                Rows = existing.Rows.Concat(mine.Rows.Where(r => existing.Rows.All(o => o.Row != r.Row))).ToList(),
            };
        }
        AtomicFile.WriteAllText(Path.Combine(resultsDir, FileName), JsonSerializer.Serialize(mine, JsonFiles.Options));
        return mine;
    }
}
