namespace Repro.Scores;

/// <summary>
/// A score with one setting OpenOOD picks on held-out data (APS_mode: true in its configs/postprocessors/&lt;name&gt;.yml):
/// the instance holds one value, <see cref="Sweep"/> gives fresh instances at every value of OpenOOD's sweep.
/// Runs.ScoreTuning chooses among them when a unit names a set to tune on (RunConfig.TuneOn); otherwise the
/// registry's instance, at OpenOOD's config default, scores.
/// </summary>
public interface ITunableScore : IOodScore
{
    /// <summary>This instance's setting as recorded, e.g. "percentile=90".</summary>
    string Setting { get; }

    /// <summary>Fresh instances at every value of OpenOOD's sweep, in its order.</summary>
    IReadOnlyList<ITunableScore> Sweep();
}
