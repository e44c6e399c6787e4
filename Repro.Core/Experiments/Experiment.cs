using Repro.Training;

namespace Repro.Experiments;

/// <summary>
/// A named set of rows, each trained once per seed: the units of work are (row, seed). Definition names the
/// experiments/&lt;name&gt;.json it came from (null for presets and single configs).
/// </summary>
public sealed record Experiment(string Name, string Description, IReadOnlyList<RunConfig> Rows, IReadOnlyList<int> Seeds,
    string? Definition = null)
{
    public IEnumerable<RunConfig> Units() =>
        from seed in Seeds from row in Rows select row with { Seed = seed };

    /// <summary>
    /// The units grouped into stacks of up to <paramref name="size"/> seeds of one row, trained as one model
    /// (Trainer.TrainStack): the first <paramref name="size"/> seeds of every row, then the next, and so on. With size 1
    /// this is <see cref="Units"/> in its order.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<RunConfig>> Stacks(int size)
    {
        if (size < 1) throw new ConfigException("stack", $"must be ≥ 1, got {size}");
        return Seeds.Chunk(size).SelectMany(seeds => Rows.Select(row => (IReadOnlyList<RunConfig>)seeds.Select(s => row with { Seed = s }).ToList()))
            .ToList();
    }

    /// <summary>The same experiment with every row changed by key=value overrides (validated, naming the key).</summary>
    public Experiment With(IReadOnlyCollection<string> overrides) =>
        overrides.Count == 0 ? this : this with { Rows = Rows.Select(r => r.With(overrides)).ToList() };

}
