namespace Repro.Data;

/// <summary>Loads each (data set, split) once per process, so several rows share one decode.</summary>
public sealed class DataSets(string? dataDir = null)
{
    private readonly Dictionary<(string, Split), ImageSet> cache = new();
    public string Root { get; } = dataDir ?? DataPaths.Root();

    public ImageSet Get(string name, Split split)
    {
        if (!cache.TryGetValue((name, split), out var set))
            cache[(name, split)] = set = DataCatalog.Load(name, split, Root);
        return set;
    }
}
