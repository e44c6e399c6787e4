namespace Repro.Experiments;

/// <summary>A published mean ± standard deviation over runs, in percent as the source prints it.</summary>
public sealed record PublishedValue(double Mean, double Std)
{
    /// <summary>"92.79 ± 0.13", as the source prints it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Text => FormattableString.Invariant($"{Mean:0.00} ± {Std:0.00}");
}

/// <summary>One published method: how it trained and scored, its AUROC per OoD column (a set or a group label) and ID accuracy.</summary>
public sealed record LeaderboardRow(string Training, string Postprocessor, IReadOnlyDictionary<string, PublishedValue> Auroc, PublishedValue? Accuracy)
{
    public string Label => Training == Postprocessor ? Training : $"{Training} + {Postprocessor}";
}

/// <summary>
/// Published results a definition is shown beside (experiments/openood-cifar10.json: OpenOOD v1.5's leaderboard), as
/// reference columns, never bands: other networks, epochs and normalization, so only orderings compare.
/// </summary>
public sealed record Leaderboard(string Source, IReadOnlyList<LeaderboardRow> Rows)
{
    /// <summary>The OoD columns any row gives, in order of first appearance.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Columns => Rows.SelectMany(r => r.Auroc.Keys).Distinct().ToList();

    public void Validate(string path, IEnumerable<string> columns)
    {
        var known = columns.ToHashSet();
        if (string.IsNullOrWhiteSpace(Source) || Rows is null || Rows.Count == 0)
            throw new DataFormatException(path, "a leaderboard with a source and rows", "neither");
        foreach (var (row, i) in Rows.Select((r, i) => (r, i)))
        {
            if (row?.Training is null || row.Postprocessor is null || row.Auroc is null || row.Auroc.Count == 0)
                throw new DataFormatException(path, $"leaderboard.rows[{i}] with training, postprocessor and auroc", "a key missing");
            if (row.Auroc.Keys.FirstOrDefault(k => !known.Contains(k)) is { } odd)
                throw new ConfigException("leaderboard", $"{path}: rows[{i}] ({row.Label}) names '{odd}', not one of the table's columns ({string.Join(", ", known)})");
            if (row.Auroc.Values.Append(row.Accuracy).OfType<PublishedValue>().FirstOrDefault(v => v.Mean is < 0 or > 100 || v.Std < 0) is { } bad)
                throw new ConfigException("leaderboard", $"{path}: rows[{i}] ({row.Label}) has {bad.Mean} ± {bad.Std}; values are percentages");
        }
    }
}
