using Repro.Data;
using Repro.Runs;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>What a runner did: units finished (now or before), units that failed, units left to other runners.</summary>
public sealed record ExperimentOutcome(IReadOnlyList<UnitResult> Finished, IReadOnlyList<UnitFailure> Failed, IReadOnlyList<RunConfig> LeftToOthers);

/// <summary>Runs an experiment's units into one results folder, skipping units already finished there.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// The finished units under a folder, each required to be one of the experiment's rows with its recipe unchanged —
    /// what is summarized (a reference, bands) must be what the experiment says was run.
    /// </summary>
    public static IReadOnlyList<FinishedUnit> FindFinishedOf(Experiment experiment, string resultsDir)
    {
        var units = ResultsFolder.FindFinished(resultsDir);
        foreach (var unit in units)
        {
            var row = experiment.Rows.FirstOrDefault(r => r.Row == unit.Config.Row)
                      ?? throw new ReproException($"{unit.Dir}: row '{unit.Config.Row}' is not in `{experiment.Name}`");
            unit.Config.RequireSameRecipe(row with { Seed = unit.Config.Seed },
                differences => $"{unit.Dir} was made with a different config than `{experiment.Name}` ({differences})");
        }
        if (units.Count == 0) throw new ReproException($"no finished units of `{experiment.Name}` in {resultsDir}");
        return units;
    }

    /// <summary>Parses "i/n" (1 ≤ i ≤ n); <paramref name="key"/> names the option or variable in the error.</summary>
    public static (int Index, int Count) ParseShard(string text, string key = "shard")
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out var i) && int.TryParse(parts[1], out var n) && n >= 1 && i >= 1 && i <= n)
            return (i, n);
        throw new ConfigException(key, $"expected i/n with 1 ≤ i ≤ n (e.g. 2/4), got '{text}'");
    }

    /// <summary>
    /// The units of shard <paramref name="shard"/> of <paramref name="shards"/> (1-based): stack k of the experiment's
    /// fixed order (<see cref="Experiment.Stacks"/>: seed-major, then row, for stacks of one) belongs to shard
    /// (k mod shards) + 1, so shards never overlap and together cover every unit, and each shard gets a mix of short
    /// and long rows.
    /// </summary>
    public static IReadOnlyList<RunConfig> Shard(Experiment experiment, int shard, int shards, StackRule? stack = null) =>
        ShardStacks(experiment, shard, shards, stack).SelectMany(s => s).ToList();

    public static IReadOnlyList<IReadOnlyList<RunConfig>> ShardStacks(Experiment experiment, int shard, int shards, StackRule? stack = null)
    {
        if (shards < 1 || shard < 1 || shard > shards)
            throw new ConfigException("shard", $"must be i/n with 1 ≤ i ≤ n, got {shard}/{shards}");
        return experiment.Stacks(stack ?? 1).Where((_, k) => k % shards == shard - 1).ToList();
    }

    /// <summary>
    /// Runs this shard's units in order, up to <paramref name="stack"/>'s number of seeds of a row (default 1) at a time as one stacked model.
    /// A unit already finished is skipped; one claimed by another live runner is left to it (a stack trains the units
    /// it could claim); one that diverges is recorded as failed (failure.json) — with its stack-mates, which trained in
    /// the same model — and the rest go on; an interrupted one resumes from its last epoch checkpoint.
    /// </summary>
    public static ExperimentOutcome Run(Experiment experiment, string resultsDir, DataSets data,
        Func<RunConfig, IProgressSink> progress, Action<string> log, int shard = 1, int shards = 1, StackRule? stack = null,
        bool saveFeatures = false)
    {
        var stacks = ShardStacks(experiment, shard, shards, stack);
        foreach (var unit in stacks.SelectMany(s => s)) ResultsFolder.Unit(resultsDir, unit);   // every unit's place is valid before anything is written
        try
        {
            ResultsManifest.Record(resultsDir, experiment.Manifest());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReproException($"cannot write to the results folder {resultsDir}: {e.Message} (read-only or full?); nothing in it was changed");
        }
        var run = new ShardRun(resultsDir, data, progress, log, saveFeatures, stacks.Sum(s => s.Count));
        foreach (var units in stacks)
        {
            var claims = new List<UnitClaim>();
            try { run.Train(run.Claim(units, claims)); }
            finally { foreach (var claim in claims) claim.Dispose(); }
        }
        return new ExperimentOutcome(run.Finished, run.Failed, run.Elsewhere);
    }

    /// <summary>One runner's pass over its stacks: what it claims, trains, skips and leaves, and what it says about each.</summary>
    private sealed class ShardRun(string resultsDir, DataSets data, Func<RunConfig, IProgressSink> progress, Action<string> log,
        bool saveFeatures, int total)
    {
        public readonly List<UnitResult> Finished = [];
        public readonly List<UnitFailure> Failed = [];
        public readonly List<RunConfig> Elsewhere = [];
        private int done;

        /// <summary>
        /// The stack's units this runner must train: claimed (the claims are added to <paramref name="claims"/>), not finished
        /// or failed — checked under the claim, as another runner may have finished or failed one since this one started.
        /// </summary>
        public List<(RunConfig Unit, UnitFolder Folder, string Tag)> Claim(IReadOnlyList<RunConfig> units, List<UnitClaim> claims)
        {
            var pending = new List<(RunConfig, UnitFolder, string)>();
            foreach (var unit in units)
            {
                var folder = ResultsFolder.Unit(resultsDir, unit);
                var tag = $"[{++done}/{total}] {unit.Row} seed {unit.Seed}";
                if (UnitClaim.TryAcquire(resultsDir, folder.ClaimKey) is not { } claim)
                {
                    log($"{tag}: being run by another runner (its claim in {Path.Combine(resultsDir, UnitClaim.Folder)} is held), left to it");
                    Elsewhere.Add(unit);
                    continue;
                }
                claims.Add(claim);
                if (folder.IsFinished)
                {
                    RequireSameConfig(unit, folder.Dir);
                    ResultsFolder.RemoveLeftoverCheckpoint(folder);   // left by a kill between the unit's rename and its clean-up
                    log($"{tag}: already finished in {folder.Dir}, skipped");
                    Finished.Add(UnitFiles.ReadResult(folder.Dir));
                }
                else if (UnitFailure.TryLoad(folder.Dir) is { } earlier)
                {
                    log($"{tag}: failed earlier ({earlier.Reason}); skipped — delete {folder.Dir} to try it again");
                    Failed.Add(earlier);
                }
                else
                {
                    ResultsFolder.RequireInside(resultsDir, folder.Partial);
                    pending.Add((unit, folder, tag));
                }
            }
            return pending;
        }

        /// <summary>Trains the claimed units as one stack (resuming its checkpoint), or records them failed if it diverges.</summary>
        public void Train(List<(RunConfig Unit, UnitFolder Folder, string Tag)> pending)
        {
            if (pending.Count == 0) return;
            var configs = pending.Select(p => p.Unit).ToList();
            var checkpointDir = ResultsFolder.RequireInside(resultsDir, ResultsFolder.StackCheckpoint(resultsDir, configs));
            log($"{string.Join(", ", pending.Select(p => p.Tag))}{(configs.Count > 1 ? $" as one stack of {configs.Count}" : "")}: " +
                Recipe(configs[0]) + (new Checkpoint(checkpointDir).LatestEpoch() is { } epoch ? $"; resuming after epoch {epoch} from its checkpoint" : ""));
            try
            {
                var results = UnitRunner.RunStack(configs, pending.Select(p => p.Folder).ToList(), checkpointDir, data, progress(configs[0]), saveFeatures);
                ResultsFolder.RemoveStackCheckpoint(resultsDir, configs);
                foreach (var result in results)
                    log($"    {result.Row} seed {result.Seed}: accuracy {result.Accuracy:P1}; " + string.Join("; ", result.Ood.Keys.Select(o =>
                        $"{o} {result.PrimaryScore} AUROC {result.Primary(o).Auroc:F3}")) + $"; {result.WallSeconds:F0} s");
                Finished.AddRange(results);
            }
            catch (DivergenceException e)
            {
                foreach (var (unit, folder, _) in pending)
                {
                    Failed.Add(UnitFailure.Record(folder.Dir, unit, e));
                    log($"    {unit.Row} seed {unit.Seed} FAILED: {e.Message}; recorded in {Path.Combine(folder.Dir, UnitFailure.FileName)}, going on with the other units");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A disk problem is not this unit's fault and would hit the next one too: stop, saying what survives.
                var saved = new Checkpoint(checkpointDir).LatestEpoch();
                throw new ReproException($"{configs[0].Row} seed {string.Join(", ", configs.Select(c => c.Seed))}: writing under " +
                    $"{Path.GetDirectoryName(checkpointDir)} failed: {e.Message} (disk full or read-only?). " +
                    $"Finished units are untouched; {(saved is { } k ? $"this unit resumes after epoch {k}" : "this unit starts over")} " +
                    "when the run is repeated with space to write");
            }
        }

        private static string Recipe(RunConfig c) =>
            $"width {c.Width}, {c.Epochs} epochs, batch {c.BatchSize}, " +
            $"loss {c.Loss}, feature norm {c.FeatureNorm}{(c.FeatureNormTemperature != 1 ? $" (τ {c.FeatureNormTemperature})" : "")}, " +
            $"{c.Activation}, {c.Shortcut} shortcuts{(c.SpectralNorm ? ", SN" : "")}" +
            (c.ValidationFraction > 0 ? $", {c.ValidationFraction:P0} of the training set held out" : "");
    }

    /// <summary>A finished unit made under other hyperparameters is not this unit's result: refuse to mix them.</summary>
    private static void RequireSameConfig(RunConfig unit, string dir)
    {
        var finished = UnitFiles.ReadConfig(dir);
        finished.RequireSameRecipe(unit, differences => $"{dir} holds a result made with a different config ({differences}); " +
                                                       "use another results folder, or move that result away if the definition change is intended");
    }
}
