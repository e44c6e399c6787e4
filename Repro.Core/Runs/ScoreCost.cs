namespace Repro.Runs;

/// <summary>
/// What a unit's scores cost after training, in seconds: the one evaluation pass over the ID training images that the
/// fitted scores learn from, each fitted score's fit, and each score's compute time over the ID and OoD test sets
/// (beside one shared forward pass per batch, which is not counted here).
/// </summary>
public sealed record ScoreCost(double IdTrainPass, IReadOnlyDictionary<string, double> Fit, IReadOnlyDictionary<string, double> Score);
