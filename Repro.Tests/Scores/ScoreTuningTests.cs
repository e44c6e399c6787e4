using Repro.Model;
using Repro.Runs;
using Repro.Scores;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Scores;

/// <summary>
/// OpenOOD's parameter search (Runs/ScoreTuning.cs): each setting of a tunable score's sweep judged by its AUROC on the
/// held-out pair, the highest kept (the first of equals, as OpenOOD's `auroc > max_auroc`), the rest disposed, the
/// other scores left as they were.
/// </summary>
public class ScoreTuningTests
{
    /// <summary>A tunable score whose held-out scores are given per setting: what the search sees, nothing computed.</summary>
    private sealed class Fixed(string setting, Dictionary<string, List<Fixed>> made) : ITunableScore, IFittedScore
    {
        public static readonly string[] Settings = ["a", "b", "c", "d"];
        public string Name => "fixed";
        public string Setting => setting;
        public bool Fitted, Disposed;
        public IReadOnlyList<ITunableScore> Sweep() => Settings.Select(s => { var f = new Fixed(s, made); made.GetValueOrDefault(s)?.Add(f); return (ITunableScore)f; }).ToList();
        public Tensor Compute(ModelOutput output) => throw new InvalidOperationException("not scored here");
        public void Fit(IdTrainingFeatures id) => Fitted = true;
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void The_setting_with_the_highest_auroc_is_kept_the_first_of_equals_and_the_rest_disposed()
    {
        var made = Fixed.Settings.ToDictionary(s => s, _ => new List<Fixed>());
        var registered = new Fixed("b", made);
        var untouched = new MspScore();
        // Held-out ID scores [1, 2, 3, 4]; OoD scores per setting. AUROC = P(ID > OoD) + ½ P(tie), by hand:
        // a: OoD [0, 0] → 1; b: OoD [2.5, 0] → (2 + 4)/8 = 0.75; c: OoD [0, 0.5] → 1 (ties a: a stays, the first);
        // d: OoD [5, 5] → 0.
        var ood = new Dictionary<string, double[]> { ["a"] = [0, 0], ["b"] = [2.5, 0], ["c"] = [0, 0.5], ["d"] = [5, 5] };
        int calls = 0;
        var (scores, tuned) = ScoreTuning.Tune([untouched, registered], s => ((IFittedScore)s).Fit(null!), batch =>
        {
            calls++;
            var setting = ((ITunableScore)batch.Single()).Setting;
            return (new Dictionary<string, double[]> { ["fixed"] = [1, 2, 3, 4] }, new Dictionary<string, double[]> { ["fixed"] = ood[setting] });
        });

        Assert.Equal(4, calls);                              // one evaluation per position in the sweep
        var result = Assert.Single(tuned);
        Assert.Equal(("fixed", "a"), (result.Score, result.Setting));
        Assert.Equal([1.0, 0.75, 1.0, 0.0], Fixed.Settings.Select(s => result.Auroc[s]));
        Assert.Same(untouched, scores[0]);
        var chosen = Assert.IsType<Fixed>(scores[1]);
        Assert.Same(made["a"].Single(), chosen);
        Assert.True(chosen.Fitted && !chosen.Disposed);
        Assert.All(Fixed.Settings.Skip(1), s => Assert.True(made[s].Single().Disposed, $"{s} is not kept"));
        Assert.True(registered.Disposed);                    // the registry's default instance is replaced
    }

    [Fact]
    public void Every_tunable_score_sweeps_openoods_values_from_its_config()
    {
        var sweeps = ScoreRegistry.Create().OfType<ITunableScore>().ToDictionary(s => s.Name, s => s.Sweep().Select(c => c.Setting).ToList());
        Assert.Equal(["fdbd", "ash_s", "scale", "nci"], sweeps.Keys);
        Assert.Equal(["distanceAsNormalizer=true", "distanceAsNormalizer=false"], sweeps["fdbd"]);
        Assert.Equal([65, 70, 75, 80, 85, 90, 95], sweeps["ash_s"].Select(s => int.Parse(s["percentile=".Length..])));
        Assert.Equal(sweeps["ash_s"], sweeps["scale"]);
        Assert.Equal(["alpha=0.0001", "alpha=0.001", "alpha=0.01", "alpha=0.1"], sweeps["nci"]);
        // The registry's instances sit at OpenOOD's config defaults, each one of its sweep's values.
        Assert.Equal(["distanceAsNormalizer=true", "percentile=90", "percentile=85", "alpha=0.0001"],
            ScoreRegistry.Create().OfType<ITunableScore>().Select(s => s.Setting));
    }
}
