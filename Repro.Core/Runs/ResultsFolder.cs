using Repro.Training;

namespace Repro.Runs;

/// <summary>A finished unit: its folder (for its scores and curve files), result and config.</summary>
public sealed record FinishedUnit(string Dir, UnitResult Result, RunConfig Config);

/// <summary>
/// The one owner of a results folder's layout: where each unit lives, and which folders hold finished, failed or
/// unfinished units. Every other file asks here.
/// </summary>
public static class ResultsFolder
{
    /// <summary>The report a run writes at the top of its results folder (Repro.Report's HtmlReport).</summary>
    public const string ReportFile = "report.html";

    /// <summary>Files a results folder holds beside its row folders: no row may be named like one.</summary>
    public static readonly IReadOnlyList<string> OwnFiles = [ResultsManifest.FileName, ReportFile];

    /// <summary>A row's units sit in a folder named after it: never one of the files a results folder holds itself.</summary>
    public static UnitFolder Unit(string resultsDir, string row, int seed) =>
        OwnFiles.Contains(row) ? throw new ConfigException("row", $"'{row}' is a file every results folder holds; choose another name")
            : new(Path.Combine(resultsDir, row, $"seed-{seed}"), row, seed);

    public static UnitFolder Unit(string resultsDir, RunConfig unit) => Unit(resultsDir, unit.Row, unit.Seed);

    /// <summary>
    /// Where seeds of one row training as one stack checkpoint: a single unit in its own partial folder; a stack of several
    /// in &lt;results&gt;/&lt;row&gt;/stack-&lt;seeds&gt;.partial/checkpoint, beside the units (no unit folder names it).
    /// </summary>
    public static string StackCheckpoint(string resultsDir, IReadOnlyList<RunConfig> stack) =>
        stack.Count == 1 ? Unit(resultsDir, stack[0]).PartialCheckpoint : Path.Combine(StackFolder(resultsDir, stack), UnitFolder.CheckpointFolder);

    /// <summary>A stack's own folder, once its units are all written (a single unit's checkpoint goes with its rename).</summary>
    public static void RemoveStackCheckpoint(string resultsDir, IReadOnlyList<RunConfig> stack)
    {
        if (stack.Count > 1 && Directory.Exists(StackFolder(resultsDir, stack))) Directory.Delete(StackFolder(resultsDir, stack), recursive: true);
    }

    private static string StackFolder(string resultsDir, IReadOnlyList<RunConfig> stack) =>
        Path.Combine(resultsDir, stack[0].Row, $"stack-{string.Join("-", stack.Select(u => u.Seed))}{UnitFolder.PartialSuffix}");

    /// <summary>A unit folder still being written (or left so by a kill).</summary>
    public static bool IsPartial(string dir) => dir.TrimEnd('/').EndsWith(UnitFolder.PartialSuffix, StringComparison.Ordinal);

    /// <summary>Folders holding a finished unit's metrics.json, in path order.</summary>
    public static IEnumerable<string> FinishedUnitDirs(string resultsDir) =>
        Directory.EnumerateFiles(resultsDir, UnitFiles.Metrics, SearchOption.AllDirectories)
            .Select(path => Path.GetDirectoryName(path)!).Where(dir => !IsPartial(dir)).Order(StringComparer.Ordinal);

    /// <summary>Whether a folder given by path (a user's UNIT argument) holds a finished unit.</summary>
    public static bool IsFinishedUnit(string dir) => !IsPartial(dir) && UnitFiles.HasResult(dir);

    /// <summary>Every finished unit's result under a results folder (any row, any seed).</summary>
    public static IReadOnlyList<UnitResult> LoadFinished(string resultsDir) => FindFinished(resultsDir).Select(u => u.Result).ToList();

    /// <summary>
    /// Every finished unit under a results folder with the folder it lives in, in path order. An unreadable unit
    /// throws, or — when <paramref name="unreadable"/> is given — is passed to it and left out.
    /// </summary>
    public static IReadOnlyList<FinishedUnit> FindFinished(string resultsDir, Action<string, ReproException>? unreadable = null)
    {
        if (!Directory.Exists(resultsDir)) throw new ReproException($"results folder {resultsDir} does not exist");
        var units = new List<FinishedUnit>();
        foreach (var dir in FinishedUnitDirs(resultsDir))
        {
            try { units.Add(new FinishedUnit(dir, UnitFiles.ReadResult(dir), UnitFiles.ReadConfig(dir))); }
            catch (ReproException e) when (unreadable is not null) { unreadable(dir, e); }
            catch (FileNotFoundException e) when (unreadable is not null) { unreadable(dir, new ReproException(e.Message)); }
        }
        return units;
    }

    /// <summary>Unit folders &lt;row&gt;/seed-&lt;n&gt;[.partial] holding a finished result, a failure record or a checkpoint, in path order.</summary>
    public static IEnumerable<string> UnitDirs(string resultsDir) =>
        Directory.EnumerateDirectories(resultsDir)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .SelectMany(Directory.EnumerateDirectories)
            .Where(d => Path.GetFileName(d).StartsWith("seed-") && (IsPartial(d) || !Path.GetFileName(d).Contains('.', StringComparison.Ordinal)))
            .Where(d => UnitFiles.HasResult(d) || UnitFailure.IsRecordedIn(d) || IsPartial(d))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Refuses to write <paramref name="path"/> when, with its links resolved, it is not inside <paramref name="folder"/>
    /// (a link in the folder pointing elsewhere, say): everything a run or a merge writes stays in the folder it was given.
    /// </summary>
    public static string RequireInside(string folder, string path)
    {
        if (!Platform.RealPath.IsInside(folder, path))
            throw new ReproException($"{path} would be written at {Platform.RealPath.ForWriting(path) ?? "the end of a broken link"}, outside " +
                                     $"{folder} (a symbolic link on the way?); nothing is written outside the folder it belongs to");
        return path;
    }

    /// <summary>A finished unit keeps its scores and final weights (UnitModel), not the training checkpoint.</summary>
    public static void RemoveLeftoverCheckpoint(UnitFolder unit)
    {
        if (Directory.Exists(unit.LeftoverCheckpoint)) Directory.Delete(unit.LeftoverCheckpoint, recursive: true);
    }
}
