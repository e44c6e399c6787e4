using Repro.Platform;
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

    public bool IsFinished => UnitFiles.HasResult(Dir);

    /// <summary>It stopped for good (diverged): failure.json instead of metrics.json.</summary>
    public bool IsFailed => UnitFailure.IsRecordedIn(Dir);

    /// <summary>The last epoch an interrupted unit checkpointed, or null when it has none.</summary>
    public int? CheckpointedEpoch => new Checkpoint(PartialCheckpoint).LatestEpoch();

    /// <summary>The name runners lock to claim the unit.</summary>
    public string ClaimKey => $"{Row}-seed-{Seed}";

    /// <summary>
    /// Makes the partial folder the unit's, whole: renamed in one step, then its checkpoint dropped. In this order a kill
    /// between the two leaves a complete unit with a stale checkpoint (cleaned up by the next run), never a partial
    /// folder without one that would have to train again from scratch. <paramref name="crashPoint"/> names the moment for
    /// the kill tests (Platform/CrashPoint.cs).
    /// </summary>
    public void Complete(string crashPoint)
    {
        CrashPoint.Here(crashPoint);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Dir))!);
        Directory.Move(Partial, Dir);
        ResultsFolder.RemoveLeftoverCheckpoint(this);
    }
}
