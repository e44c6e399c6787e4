using Repro.Training;

namespace Repro.Experiments;

/// <summary>
/// A named set of rows, each trained once per seed: the units of work are (row, seed). Definition names the
/// experiments/&lt;name&gt;.json it came from (null for single configs).
/// </summary>
public sealed record Experiment(string Name, string Description, IReadOnlyList<RunConfig> Rows, IReadOnlyList<int> Seeds,
    string? Definition = null)
{
    public IEnumerable<RunConfig> Units() =>
        from seed in Seeds from row in Rows select row with { Seed = seed };

    /// <summary>
    /// The units grouped into stacks of up to the rule's number of seeds of one row, trained as one model
    /// (Trainer.TrainStack): every row's first stack, then every row's second, and so on. With stacks of one this is
    /// <see cref="Units"/> in its order.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<RunConfig>> Stacks(StackRule rule)
    {
        var perRow = Rows.Select(row => Seeds.Chunk(rule.For(row))
            .Select(seeds => (IReadOnlyList<RunConfig>)seeds.Select(s => row with { Seed = s }).ToList()).ToList()).ToList();
        int rounds = perRow.Count == 0 ? 0 : perRow.Max(stacks => stacks.Count);
        return Enumerable.Range(0, rounds).SelectMany(r => perRow.Where(stacks => r < stacks.Count).Select(stacks => stacks[r])).ToList();
    }

    /// <summary>What a results folder records about this experiment (experiment.json): its rows and seeds, sorted.</summary>
    public Runs.ResultsManifest Manifest() =>
        new(Name, Description, Definition, Seeds.Order().ToList(), Rows.Select(r => r with { Seed = 0 }).ToList());

    /// <summary>The experiment cut to the named rows (a run of part of a definition); an unknown name is refused, listing the rows.</summary>
    public Experiment OnlyRows(IReadOnlyCollection<string> names)
    {
        if (names.FirstOrDefault(n => Rows.All(r => r.Row != n)) is { } unknown)
            throw new ConfigException("rows", $"`{Name}` has no row '{unknown}' that trains; its rows: {string.Join(", ", Rows.Select(r => r.Row))}");
        return this with { Rows = Rows.Where(r => names.Contains(r.Row)).ToList() };
    }

    /// <summary>The same experiment with every row changed by key=value overrides (validated, naming the key).</summary>
    public Experiment With(IReadOnlyCollection<string> overrides)
    {
        if (overrides.Count == 0) return this;
        // A row's name is its units' folder: one name for several rows would put their units in one place.
        if (Rows.Count > 1 && overrides.FirstOrDefault(o => o.Split('=')[0].Trim() == "row") is { } rename)
            throw new ConfigException("row", $"'{rename}' would give all {Rows.Count} rows of `{Name}` ({string.Join(", ", Rows.Select(r => r.Row))}) " +
                                             "one name, and their units one folder; overrides apply to every row, so rename rows in the definition instead");
        return this with { Rows = Rows.Select(r => r.With(overrides)).ToList() };
    }

}
