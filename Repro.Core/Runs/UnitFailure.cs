using Repro.Platform;
using System.Text.Json;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// Why a unit stopped for good (it diverged): written as failure.json in the unit's folder instead of metrics.json,
/// so the rest of the experiment goes on, a rerun does not silently retry a deterministic failure, and the report
/// shows it as failed. Delete the folder to try the unit again.
/// </summary>
public sealed record UnitFailure(string Row, int Seed, string Reason, int Epoch, int Step, string Device,
    IReadOnlyDictionary<string, string> Versions, DateTimeOffset Failed)
{
    public const string FileName = "failure.json";

    public static UnitFailure Record(string unitDir, RunConfig unit, DivergenceException e)
    {
        var failure = new UnitFailure(unit.Row, unit.Seed, e.Message, e.Epoch, e.Step, unit.Device, Provenance.Versions(), DateTimeOffset.UtcNow);
        // Written in the unit's partial folder and renamed like a finished unit: a kill in between leaves the
        // checkpoint to resume from (and fail again), never a unit folder that is neither finished nor failed —
        // which blocked that unit's rename for good (seen in the kill test).
        var folder = new UnitFolder(unitDir, unit.Row, unit.Seed);
        var partial = folder.Partial;
        Directory.CreateDirectory(partial);
        UnitFiles.WriteConfig(partial, unit);
        AtomicFile.WriteAllText(Path.Combine(partial, FileName), JsonSerializer.Serialize(failure, JsonFiles.Options));
        if (Directory.Exists(unitDir) && !folder.IsFinished && !folder.IsFailed)
            Directory.Delete(unitDir, recursive: true);   // an earlier version's interrupted record: a config.json, no result
        folder.Complete("failure.rename");
        return failure;
    }

    public static bool IsRecordedIn(string unitDir) => File.Exists(Path.Combine(unitDir, FileName));

    public static UnitFailure? TryLoad(string unitDir)
    {
        var path = Path.Combine(unitDir, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<UnitFailure>(File.ReadAllText(path), JsonFiles.Options); }
        catch (JsonException e) { throw new DataFormatException(path, "a unit failure record", e.Message); }
    }
}
