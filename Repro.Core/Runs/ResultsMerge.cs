using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// Merges the results folders of several shards (or runners) into one, for the table and the report: every finished
/// or failed unit is copied in (to a temporary name, then renamed, so the merged folder never holds half a unit),
/// the experiment manifests are merged, unfinished units are reported, not copied. A unit present in two sources
/// must have the same config; the first copy is kept.
/// </summary>
public static class ResultsMerge
{
    public static (int Copied, int AlreadyThere) Merge(string into, IReadOnlyList<string> sources, Action<string> log)
    {
        if (sources.Count == 0) throw new ReproException("merge needs at least one results folder to merge from");
        Directory.CreateDirectory(into);
        int copied = 0, already = 0;
        foreach (var source in sources)
        {
            if (!Directory.Exists(source)) throw new ReproException($"results folder {source} does not exist");
            if (ResultsManifest.TryLoad(source) is { } manifest)
                ResultsManifest.Merge(into, manifest);
            else
                log($"{source}: no {ResultsManifest.FileName}; its units are merged, the planned ones it would name are not");

            foreach (var unitDir in ResultsFolder.UnitDirs(source))
            {
                var rel = Path.GetRelativePath(source, unitDir);
                if (ResultsFolder.IsPartial(unitDir))
                {
                    log($"{source}: {rel} is unfinished (resume that shard to finish it); not merged");
                    continue;
                }
                var config = UnitFiles.ReadConfig(unitDir);
                // The folder a unit is found in must be the one its config names, or the merged folder would file it
                // under another unit's name.
                var expected = ResultsFolder.Unit(source, config.Row, config.Seed).Dir;
                if (Path.GetFullPath(expected) != Path.GetFullPath(unitDir))
                    throw new ReproException($"{unitDir}: its {UnitFiles.Config} is for row '{config.Row}' seed {config.Seed}, which lives in " +
                                             $"{Path.GetRelativePath(source, expected)}, not {rel}; not merged (was it moved or renamed by hand?)");
                // What is merged must read back: a unit whose metrics (or failure record) cannot be read is refused here,
                // not found broken later by the table or the report.
                if (UnitFiles.HasResult(unitDir))
                {
                    var result = UnitFiles.ReadResult(unitDir);
                    if (result.Row != config.Row || result.Seed != config.Seed)
                        throw new ReproException($"{unitDir}: its {UnitFiles.Metrics} is for row '{result.Row}' seed {result.Seed}, its " +
                                                 $"{UnitFiles.Config} for row '{config.Row}' seed {config.Seed}; not merged");
                }
                else if (UnitFailure.TryLoad(unitDir) is null)
                    throw new ReproException($"{unitDir} has neither {UnitFiles.Metrics} nor {UnitFailure.FileName}; not merged");
                if (FirstLink(unitDir) is { } link)
                    throw new ReproException($"{link} is a symbolic link; a unit folder written by repro holds none, so this one is not merged " +
                                             "(copy the files it points to into the unit instead)");
                var target = ResultsFolder.RequireInside(into, Path.Combine(into, rel));
                if (Directory.Exists(target))
                {
                    var existing = UnitFiles.ReadConfig(target);
                    existing.RequireSameRecipe(config, differences =>
                        $"{rel} exists in {into} and {source} with different configs ({differences}); they are not the same unit");
                    already++;
                    continue;
                }
                var staging = target + ".merging";
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);   // left by a killed merge
                CopyDirectory(unitDir, staging);
                Directory.Move(staging, target);
                copied++;
            }
        }
        log($"merged {copied} unit(s) into {into} ({already} already there)");
        return (copied, already);
    }

    /// <summary>The first symbolic link inside a folder (files and folders, at any depth), or null.</summary>
    private static string? FirstLink(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .FirstOrDefault(e => new FileInfo(e).LinkTarget is not null);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from))
            if (Path.GetFileName(dir) != UnitFolder.CheckpointFolder) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
