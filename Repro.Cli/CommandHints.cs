using Repro.Data;

namespace Repro.Cli;

/// <summary>
/// What to type next, after an error Core reports as data: the commands are the command line's to name (Core's
/// messages say what is wrong; these say which `repro` command mends it).
/// </summary>
public static class CommandHints
{
    public const string Fetch = "./repro data fetch", FetchCifar = "./repro data fetch cifar";

    public static string FetchFor(DatasetInfo set) => DataCatalog.FromAuthorsUrls(set) ? FetchCifar : Fetch;

    /// <summary>The sentence that follows <paramref name="error"/>'s message, or "" when there is nothing to add.</summary>
    public static string For(Exception error) => error switch
    {
        DataMissingException { Set: var set } when DataCatalog.OpenOodLists.ContainsKey(set.Name) =>
            $" OpenOOD's data are not fetched here: get them with OpenOOD's scripts/download/download.py and put (or link) that data folder, " +
            $"holding {OpenOodImageList.ListsFolder}/ and {OpenOodImageList.ImagesFolder}/, at <data directory>/{DataCatalog.OpenOodFolder} (docs/openood.md).",
        DataMissingException missing => $" Run `{FetchFor(missing.Set)}` to fetch it.",
        _ => "",
    };
}
