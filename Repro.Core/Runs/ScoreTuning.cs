using Repro.Metrics;

using Repro.Scores;

namespace Repro.Runs;

/// <summary>How one tunable score was set: every setting of its sweep with its AUROC on the held-out pair, and the one kept.</summary>
public sealed record TunedScore(string Score, string Setting, IReadOnlyDictionary<string, double> Auroc);

/// <summary>
/// OpenOOD's automatic parameter search (openood/evaluation_api/evaluator.py, hyperparam_search): each setting of a
/// tunable score's sweep scores held-out ID images (OpenOOD: its ID val list; here the unit's own held-out training
/// images) against a held-out OoD set (OpenOOD's val_tin for CIFAR-10); the setting with the highest AUROC is kept, the
/// first of equals, as OpenOOD keeps the first maximum. The test sets are never looked at.
/// </summary>
public static class ScoreTuning
{
    /// <summary>
    /// Every setting of every <see cref="ITunableScore"/> among <paramref name="scores"/>, fitted by
    /// <paramref name="fit"/>, scored by <paramref name="score"/> (one call per position in the sweeps, so names stay
    /// distinct within a call: returns the held-out ID and OoD scores by name); then <paramref name="scores"/> with
    /// each tunable one replaced by its chosen instance, and what was chosen. Instances not kept are disposed.
    /// </summary>
    public static (IReadOnlyList<IOodScore> Scores, IReadOnlyList<TunedScore> Tuned) Tune(IReadOnlyList<IOodScore> scores,
        Action<IOodScore> fit, Func<IReadOnlyList<IOodScore>, (IReadOnlyDictionary<string, double[]> Id, IReadOnlyDictionary<string, double[]> Ood)> score)
    {
        var sweeps = scores.OfType<ITunableScore>().ToDictionary(s => s.Name, s => s.Sweep());
        var auroc = sweeps.Keys.ToDictionary(name => name, _ => new List<double>());
        try
        {
            foreach (var candidate in sweeps.Values.SelectMany(s => s)) fit(candidate);
            for (int position = 0; position < sweeps.Values.Select(s => s.Count).DefaultIfEmpty(0).Max(); position++)
            {
                var batch = sweeps.Values.Where(s => position < s.Count).Select(s => (IOodScore)s[position]).ToList();
                var (id, ood) = score(batch);
                foreach (var candidate in batch) auroc[candidate.Name].Add(Auroc.Compute(id[candidate.Name], ood[candidate.Name]));
            }
        }
        catch
        {
            foreach (var candidate in sweeps.Values.SelectMany(s => s).OfType<IDisposable>()) candidate.Dispose();
            throw;
        }

        var tuned = new List<TunedScore>();
        var chosen = new Dictionary<string, IOodScore>();
        foreach (var (name, sweep) in sweeps)
        {
            int best = 0;
            for (int i = 1; i < sweep.Count; i++) if (auroc[name][i] > auroc[name][best]) best = i;
            chosen[name] = sweep[best];
            foreach (var other in sweep.Where((_, i) => i != best).OfType<IDisposable>()) other.Dispose();
            tuned.Add(new TunedScore(name, sweep[best].Setting, sweep.Select((s, i) => (s.Setting, auroc[name][i])).ToDictionary(x => x.Setting, x => x.Item2)));
        }
        foreach (var replaced in scores.Where(s => chosen.ContainsKey(s.Name)).OfType<IDisposable>()) replaced.Dispose();
        return (scores.Select(s => chosen.GetValueOrDefault(s.Name, s)).ToList(), tuned);
    }
}
