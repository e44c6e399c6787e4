using Repro.Runs;
using Repro.Training;

namespace Repro.Experiments;

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
                var target = Path.Combine(into, rel);
                var config = ReadConfig(unitDir);
                if (Directory.Exists(target))
                {
                    var existing = ReadConfig(target);
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

    private static RunConfig ReadConfig(string unitDir)
    {
        var path = Path.Combine(unitDir, UnitFiles.Config);
        if (!File.Exists(path)) throw new ReproException($"{unitDir} has no {UnitFiles.Config}; it is not a unit folder");
        return RunConfig.FromJson(File.ReadAllText(path), path);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from))
            if (Path.GetFileName(dir) != UnitFolder.CheckpointFolder) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
