using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Repro.Experiments;

/// <summary>One value of a sweep axis: its name (in row names and tables) and the config keys it sets.</summary>
public sealed record SweepLevel(string Name, JsonObject Config);

/// <summary>
/// A config axis of a row: a config key with a list of values (<c>"batchSize": [16, 64]</c>), or named levels that
/// each set several keys together (<c>"equal-steps": {"b16": {...}, "b64": {"batchSize": 64, "epochs": 8}}</c>). The
/// first level is the base: one-at-a-time sweeps vary one axis from it, and effects are differences from it.
/// </summary>
public sealed record SweepAxis(string Name, IReadOnlyList<SweepLevel> Levels)
{
    public IReadOnlyList<string> LevelNames => Levels.Select(l => l.Name).ToList();
}

/// <summary>
/// Where a row produced by a sweep sits: the row it was expanded from (the "method", one line in an effect plot), the
/// method's axes, and this cell's level on each. Every cell trains the definition's seeds, so any two cells pair.
/// </summary>
public sealed record SweepCell(string Method, string MethodLabel, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<string> Levels)
{
    public string LevelOf(string axis) => Levels[IndexOf(axis)];

    /// <summary>This cell's level on <paramref name="axis"/>, every other axis at its base: the cells an axis's effect is read from.</summary>
    public bool VariesOnly(string axis) =>
        Axes.Select((a, i) => a.Name == axis || Levels[i] == a.Levels[0].Name).All(x => x);

    private int IndexOf(string axis) =>
        Axes.Select((a, i) => (a, i)).FirstOrDefault(x => x.a.Name == axis) is var (found, i) && found is not null
            ? i : throw new ReproException($"method '{Method}' has no axis '{axis}'");
}

/// <summary>
/// Expands a row that carries <c>axes</c> into one row per cell: every combination of levels (<c>"sweep": "grid"</c>, the
/// default), or the base and each axis varied alone (<c>"one-at-a-time"</c>). Cells are ordinary rows (named
/// <c>ROW_AXIS-LEVEL…</c>), so shards, stacks, workers, Slurm and merging treat them as rows.
/// </summary>
public static class Sweep
{
    public const string Grid = "grid", OneAtATime = "one-at-a-time";

    public static IReadOnlyList<RowDefinition> Expand(RowDefinition row, string path)
    {
        if (row.Axes is null) return [row];
        string where = $"row '{row.Name}'";
        if (row.ModelOf is not null) throw new DataFormatException(path, $"{where}: axes on a row that trains its own model", "modelOf");
        if (row.Paper is not null) throw new DataFormatException(path, $"{where}: no paper numbers on a swept row (they belong to one recipe)", "paper");
        string mode = row.Sweep ?? Grid;
        if (mode is not (Grid or OneAtATime))
            throw new ConfigException("sweep", $"{path}, {where}: must be {Grid} or {OneAtATime}, got '{mode}'");
        var axes = row.Axes.Select(kv => Axis(kv.Key, kv.Value, $"{path}, {where}")).ToList();
        if (axes.Count == 0) throw new ConfigException("axes", $"{path}, {where}: must name at least one axis, got none");
        foreach (var axis in axes)
            foreach (var key in axis.Levels.SelectMany(l => l.Config.Select(kv => kv.Key)).Distinct())
            {
                if (row.Config?.ContainsKey(key) == true)
                    throw new ConfigException($"axes.{axis.Name}", $"{path}, {where}: sets '{key}', which the row's config also sets; give it on one of them");
                if (key is "row" or "seed" or "primaryScore")
                    throw new ConfigException($"axes.{axis.Name}", $"{path}, {where}: '{key}' is not a recipe key (rows, seeds and scores are the definition's)");
                var other = axes.FirstOrDefault(a => a != axis && a.Levels.Any(l => l.Config.ContainsKey(key)));
                // One at a time, two axes may touch one key when their bases agree on it (the base cell is then well defined).
                if (other is not null && (mode == Grid || !JsonNode.DeepEquals(axis.Levels[0].Config[key], other.Levels[0].Config[key])))
                    throw new ConfigException($"axes.{axis.Name}",
                        $"{path}, {where}: sets '{key}', as axis '{other.Name}' does" + (mode == Grid ? " (a grid needs disjoint axes)" : " with another base value"));
            }

        var combinations = mode == Grid
            ? axes.Aggregate(new[] { Array.Empty<int>() }.AsEnumerable(), (acc, axis) => acc.SelectMany(c => Enumerable.Range(0, axis.Levels.Count).Select(i => c.Append(i).ToArray())))
            : axes.SelectMany((axis, a) => Enumerable.Range(a == 0 ? 0 : 1, a == 0 ? axis.Levels.Count : axis.Levels.Count - 1)
                .Select(i => axes.Select((_, b) => b == a ? i : 0).ToArray()));
        return combinations.Select(levels => Cell(row, axes, levels, mode, path)).ToList();
    }

    private static RowDefinition Cell(RowDefinition row, IReadOnlyList<SweepAxis> axes, int[] levels, string mode, string path)
    {
        var config = (JsonObject)(row.Config ?? []).DeepClone();
        // Base levels first, so a one-at-a-time axis that shares a key with another overrides it only where it varies.
        foreach (var (axis, level) in axes.Zip(levels).OrderBy(x => x.Second != 0))
            foreach (var (key, value) in axis.Levels[level].Config) config[key] = value?.DeepClone();
        var varied = axes.Zip(levels).Where(x => mode == Grid || x.Second != 0).ToList();
        string name = string.Concat(varied.Select(x => $"_{x.First.Name}-{x.First.Levels[x.Second].Name}")) is { Length: > 0 } suffix ? row.Name + suffix : row.Name;
        Platform.SafeName.Require(name, "rows[].name (a sweep cell: row_axis-level…)", path);
        string label = $"{row.Label} ({(varied.Count == 0 ? "base" : string.Join(", ", varied.Select(x => $"{x.First.Name} {x.First.Levels[x.Second].Name}")))})";
        return new RowDefinition(name, label, row.Score, config, null)
        {
            Cell = new SweepCell(row.Name, row.Label, axes, axes.Zip(levels).Select(x => x.First.Levels[x.Second].Name).ToList()),
        };
    }

    private static SweepAxis Axis(string name, JsonNode? node, string where)
    {
        string key = $"axes.{name}";
        Platform.SafeName.Require(name, key, where);
        var levels = node switch
        {
            // A key's values: the axis is named after the key, each level after its value.
            JsonArray values => values.Select(v => new SweepLevel(LevelName(v, key, where), new JsonObject { [name] = v?.DeepClone() })).ToList(),
            JsonObject named => named.Select(kv => new SweepLevel(kv.Key, kv.Value as JsonObject
                ?? throw new ConfigException($"{key}.{kv.Key}", $"{where}: a named level must be an object of config keys, got {kv.Value?.ToJsonString() ?? "null"}"))).ToList(),
            _ => throw new ConfigException(key, $"{where}: must be a list of values or an object of named levels, got {node?.ToJsonString() ?? "null"}"),
        };
        if (levels.Count < 2) throw new ConfigException(key, $"{where}: needs at least two levels (the first is the base), got {levels.Count}");
        if (levels.Select(l => l.Name).Distinct().Count() != levels.Count)
            throw new ConfigException(key, $"{where}: levels must be distinct, got [{string.Join(", ", levels.Select(l => l.Name))}]");
        foreach (var level in levels)
        {
            Platform.SafeName.Require(level.Name, $"{key} level", where);
            if (level.Config.Count == 0) throw new ConfigException($"{key}.{level.Name}", $"{where}: a level must set at least one config key");
        }
        return new SweepAxis(name, levels);
    }

    /// <summary>A value as it appears in a row name: 16, 0.5, 1e-06, leaky-relu, true.</summary>
    private static string LevelName(JsonNode? value, string key, string where) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant().Replace("e-0", "e-").Replace("e+", "e"),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        _ => throw new ConfigException(key, $"{where}: a list of values takes strings, numbers or booleans (name the levels for anything else), got {value?.ToJsonString() ?? "null"}"),
    };
}
