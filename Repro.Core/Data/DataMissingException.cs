namespace Repro.Data;

/// <summary>
/// A data set's files are not in the data directory (as opposed to there but corrupt: DataFormatException). Typed, so
/// the command line can say how to fetch it and `repro data check` can list what is absent.
/// </summary>
public sealed class DataMissingException(DatasetInfo set, Split split, string dataDir, FileNotFoundException inner)
    : ReproException($"{set.Name} ({split}) is missing: {inner.Message} (data directory: {dataDir}; override with ${DataPaths.EnvironmentVariable}).", inner)
{
    public DatasetInfo Set { get; } = set;
    public Split Split { get; } = split;

    /// <summary>CIFAR-10, CIFAR-100 and SVHN come from their authors' URLs, fetched apart from the sets every machine here reaches.</summary>
    public bool FromAuthorsUrls => DataCatalog.FromAuthorsUrls(Set);
}
