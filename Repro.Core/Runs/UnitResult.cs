using Repro.Metrics;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// What one (row, seed) unit produced: written as metrics.json beside config.json, curve.csv and scores/*.csv.
/// Ood maps OoD set → score name → metrics; every registered score is evaluated, PrimaryScore is the row's. TrainSplit
/// says which training images were used (absent in units written before it was recorded); StackSeeds, the seeds the
/// unit was trained together with as one stacked model, its own included (absent when it trained alone). ScoreCost, what
/// scoring took (absent in units written before it was recorded).
/// </summary>
public sealed record UnitResult(
    string Row,
    int Seed,
    string PrimaryScore,
    double Accuracy,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, OodMetrics>> Ood,
    IReadOnlyList<EpochRecord> Curve,
    double TrainSeconds,
    double WallSeconds,
    string Device,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyDictionary<string, string> DataHashes,
    DateTimeOffset Finished,
    Data.TrainingSplitRecord? TrainSplit = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<int>? StackSeeds = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ScoreCost? ScoreCost = null)
{
    /// <summary>The settings the tunable scores took on the unit's held-out pair (RunConfig.TuneOn); null when none were tuned.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TunedScore>? Tuned { get; init; }

    public OodMetrics Primary(string oodSet) => Ood[oodSet][PrimaryScore];
}
