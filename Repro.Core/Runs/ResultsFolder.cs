using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// One unit's place in a results folder. A unit (row, seed) lives in &lt;results&gt;/&lt;row&gt;/seed-&lt;n&gt;/ once
/// it has finished (metrics.json) or failed (failure.json); until then it is written in that path + ".partial", whose
/// checkpoint/ lets a killed unit resume; and runners claim it by its <see cref="ClaimKey"/> (Runs/UnitClaim.cs).
/// </summary>
public sealed record UnitFolder(string Dir, string Row, int Seed)
{
    public const string PartialSuffix = ".partial", CheckpointFolder = "checkpoint";

    /// <summary>Where the unit is written until it is complete (finished or failed); renamed to <see cref="Dir"/> in one step.</summary>
    public string Partial => Dir.TrimEnd('/') + PartialSuffix;

    /// <summary>The per-epoch checkpoint of a unit in progress.</summary>
    public string PartialCheckpoint => Path.Combine(Partial, CheckpointFolder);

    /// <summary>A checkpoint left in a finished unit by a kill between its rename and its clean-up.</summary>
    public string LeftoverCheckpoint => Path.Combine(Dir, CheckpointFolder);

    public bool IsFinished => File.Exists(Path.Combine(Dir, UnitFiles.Metrics));

    /// <summary>The last epoch an interrupted unit checkpointed, or null when it has none.</summary>
    public int? CheckpointedEpoch => new Checkpoint(PartialCheckpoint).LatestEpoch();

    /// <summary>The name runners lock to claim the unit.</summary>
    public string ClaimKey => $"{Row}-seed-{Seed}";
}

/// <summary>
/// The one owner of a results folder's layout: where each unit lives, and which folders hold finished, failed or
/// unfinished units. Every other file asks here.
/// </summary>
public static class ResultsFolder
{
    /// <summary>The report a run writes at the top of its results folder (Repro.Report's HtmlReport).</summary>
    public const string ReportFile = "report.html";

    /// <summary>Files a results folder holds beside its row folders: no row may be named like one.</summary>
    public static readonly IReadOnlyList<string> OwnFiles = [Experiments.ResultsManifest.FileName, ReportFile];

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

    /// <summary>Unit folders &lt;row&gt;/seed-&lt;n&gt;[.partial] holding a finished result, a failure record or a checkpoint, in path order.</summary>
    public static IEnumerable<string> UnitDirs(string resultsDir) =>
        Directory.EnumerateDirectories(resultsDir)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .SelectMany(Directory.EnumerateDirectories)
            .Where(d => Path.GetFileName(d).StartsWith("seed-") && (IsPartial(d) || !Path.GetFileName(d).Contains('.', StringComparison.Ordinal)))
            .Where(d => File.Exists(Path.Combine(d, UnitFiles.Metrics)) || File.Exists(Path.Combine(d, UnitFailure.FileName)) || IsPartial(d))
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
