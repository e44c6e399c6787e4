using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Training;

namespace Repro.Reporting;

/// <summary>An allowed interval for a cell and whether our value is inside it.</summary>
public sealed record BandCheck(double Low, double High, string Reason, Verdict Verdict);

public sealed record AurocEntry(string OodSet, Spread? Ours, int Seeds, Spread? Paper, BandCheck? Band);

public sealed record TableLine(string Row, string Label, string Score, int SeedsFinished, int SeedsPlanned,
    IReadOnlyList<AurocEntry> Auroc, double? Accuracy, double? PaperAccuracy, BandCheck? AccuracyBand);

/// <summary>A claim as <see cref="PaperTable.JudgeClaims"/> judged it, as `repro table` prints it.</summary>
/// <param name="Judgement">How it was judged and why, in words (<see cref="ClaimVerdict.Judgement"/>).</param>
/// <param name="Statistics">Beside the judgement: each side's one-seed test-set error; for bands format 1, the paired comparison.</param>
public sealed record ClaimLine(string Text, double? Left, double? Right, double Margin, Verdict Verdict, string Judgement, string? Statistics = null);

/// <summary>One seed's AUROC, for the spread plot.</summary>
public sealed record SeedAuroc(int Seed, double Auroc);

public sealed record SeedSpread(string Row, string Label, string OodSet, IReadOnlyList<SeedAuroc> Seeds, Spread? Paper);

public sealed record AccuracyLine(string Row, string Label, int Seeds, double Mean, double Min, double Max,
    double FinalTrainAccuracy, double? Paper);

public sealed record UnitLine(string Row, int Seed, string Device, string Commit, string TorchSharp, string Libtorch,
    int Epochs, double SecondsPerEpoch, double TrainSeconds, double WallSeconds, string Finished);

/// <summary>
/// One row's models under one score against one OoD set: mean AUROC over seeds, half the 95% interval of that mean over
/// seeds (Student's t, two or more seeds), half the 95% interval of the same mean from the test sets alone (DeLong,
/// seeds combined as if independent: <see cref="ScoreSeeds.MeanTestSetHalfWidth"/>), and FPR95 in both conventions;
/// Own marks the score the row is judged by.
/// </summary>
public sealed record ScoreCell(string Row, int Seeds, double? Auroc, double? MeanSeedHalfWidth, double? MeanTestSetHalfWidth,
    double? Fpr95, double? Fpr95OodPositive, bool Own);

/// <summary>A line of the row × score grid: one score on every row's models against one OoD set.</summary>
public sealed record ScoreGridLine(string OodSet, string Score, IReadOnlyList<ScoreCell> Cells);

/// <summary>A row of the paper's own Table 1, shown for comparison when the results are on other data.</summary>
public sealed record PaperLine(string Label, IReadOnlyDictionary<string, Spread> Auroc, double Accuracy);

public sealed record PaperReference(string Caption, IReadOnlyDictionary<string, string> OodSets, IReadOnlyList<PaperLine> Rows);

/// <summary>
/// Everything the HTML report says, as data: the table in the paper's shape with band and claim verdicts, seed
/// spreads, accuracy, provenance and what is missing. Built only from files in a results folder (it never trains);
/// the figures are drawn from the same folder's scores and curves. Deterministic, so it is snapshot-tested.
/// </summary>
public sealed record ReportModel(
    string Title,
    string Experiment,
    string Description,
    string DefinitionSource,
    string InDistribution,
    IReadOnlyDictionary<string, string> OodSets,
    int UnitsPlanned,
    int UnitsFinished,
    IReadOnlyList<string> Failed,
    IReadOnlyList<string> Missing,
    IReadOnlyList<TableLine> Table,
    IReadOnlyList<ClaimLine> Claims,
    string BandsSource,
    PaperReference? PaperReference,
    IReadOnlyList<SeedSpread> SeedSpreads,
    IReadOnlyList<AccuracyLine> Accuracy,
    IReadOnlyList<UnitLine> Units,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Environment,
    IReadOnlyDictionary<string, IReadOnlyList<string>> DataHashes,
    IReadOnlyList<ScoreGridLine> ScoreGrid)
{
    /// <summary>What the definition's sweeps say (effects, paired differences); null for a definition without sweeps.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public Ablation? Ablation { get; init; }

    /// <summary>The table's and the grid's OoD columns with their labels: every set, then each group's mean (<see cref="ExperimentDefinition.Columns"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyDictionary<string, string> Columns { get => columns ?? OodSets; init => columns = value; }
    private readonly IReadOnlyDictionary<string, string>? columns;

    /// <summary>Published results shown beside the table (<see cref="ExperimentDefinition.Leaderboard"/>); null for none.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public Leaderboard? Leaderboard { get; init; }

    /// <summary>
    /// Reads a results folder. The experiment is, in order: <paramref name="definitionFile"/>; the definition named
    /// by the folder's experiment.json (experiments/&lt;name&gt;.json in <paramref name="repositoryRoot"/>); the rows
    /// recorded in experiment.json; the rows found in finished units. Bands: <paramref name="bandsFile"/>, else the
    /// definition's sibling &lt;name&gt;.bands.json when it exists.
    /// </summary>
    public static (ReportModel Model, ReportInputs Inputs) Build(string resultsDir, string? definitionFile = null,
        string? bandsFile = null, string? repositoryRoot = null)
    {
        if (!Directory.Exists(resultsDir)) throw new ReproException($"results folder {resultsDir} does not exist");
        // Everything the report cannot show, in the order it is found; the snapshot pins that order.
        var missing = new List<string>();
        var finished = ResultsFolder.FindFinished(resultsDir,
            (dir, e) => missing.Add($"{Rel(resultsDir, dir)}: unreadable, left out — {e.Message}"));
        var manifest = ResultsManifest.TryLoad(resultsDir);
        var (definition, definitionSource, definitionPath) = ResolveDefinition(resultsDir, definitionFile, manifest, finished, repositoryRoot, missing);
        definition = definition.PlannedIn(resultsDir);
        bandsFile ??= definitionPath is null ? null : ToleranceBands.PathBeside(definitionPath);
        var bands = ApplicableBands(definition, bandsFile, repositoryRoot, missing);

        var (planned, units, failed) = PlannedUnits(resultsDir, definition, finished, missing);
        var table = PaperTable.Aggregate(definition, units.Select(u => u.Result));
        var hashes = DataHashesOf(units, missing);
        var model = new ReportModel(
            $"Repro report: {definition.Name}", definition.Name, definition.Source, definitionSource,
            definition.Rows.Count > 0 ? definition.ConfigFor(definition.Rows[0]).InDistribution : "?", definition.OodSets,
            planned, units.Count, failed, missing, TableOf(table, bands), ClaimsOf(table, bands),
            bands is not null ? Rel(repositoryRoot, bandsFile!) : $"none (no tolerance bands for {definition.Name} version {definition.Version} yet)",
            definition.Rows.Any(r => r.Paper is not null) ? null : PaperTableForComparison(repositoryRoot),
            SeedSpreadsOf(table), AccuracyOf(table, units), UnitLinesOf(definition, units), EnvironmentOf(units), hashes, ScoreGridOf(table))
            { Ablation = Ablation.Of(table), Columns = definition.Columns, Leaderboard = definition.Leaderboard };
        return (model, new ReportInputs(definition, units));
    }

    /// <summary>The bands to judge by, or null: none given or beside the definition, or made for another version of it (said in <paramref name="missing"/>).</summary>
    private static ToleranceBands? ApplicableBands(ExperimentDefinition definition, string? bandsFile, string? repositoryRoot, List<string> missing)
    {
        var bands = bandsFile is not null && File.Exists(bandsFile) ? ToleranceBands.Load(bandsFile) : null;
        if (bands is null || bands.AppliesTo(definition)) return bands;
        missing.Add(bands.NotApplicableNote(definition, Rel(repositoryRoot, bandsFile!)) + " This report judges nothing against them.");
        return null;
    }

    /// <summary>
    /// The definition's units (rows × seeds): how many are planned, the finished ones shown, and the failed ones; a
    /// finished unit of no planned (row, seed), a planned one not run or in progress, and a shown one without a
    /// score file go to <paramref name="missing"/>.
    /// </summary>
    private static (int Planned, IReadOnlyList<FinishedUnit> Shown, IReadOnlyList<string> Failed) PlannedUnits(
        string resultsDir, ExperimentDefinition definition, IReadOnlyList<FinishedUnit> finished, List<string> missing)
    {
        var planned = definition.TrainedRows.SelectMany(r => definition.Seeds.Select(s => (Row: r.Name, Seed: s))).ToList();
        var units = finished.Where(u => planned.Contains((u.Result.Row, u.Result.Seed)))
            .DistinctBy(u => (u.Result.Row, u.Result.Seed)).ToList();
        foreach (var extra in finished.Except(units))
            missing.Add($"{Rel(resultsDir, extra.Dir)}: {extra.Result.Row} seed {extra.Result.Seed} is not a unit of {definition.Name}; not shown");
        var failed = new List<string>();
        foreach (var (row, seed) in planned.Where(p => !units.Any(u => u.Result.Row == p.Row && u.Result.Seed == p.Seed)))
            if (FailureOf(resultsDir, row, seed) is { } failure) failed.Add($"{row} seed {seed}: {failure}");
            else missing.Add(InProgress(resultsDir, row, seed) is { } epoch
                ? $"{row} seed {seed}: in progress (checkpoint after epoch {epoch})"
                : $"{row} seed {seed}: not run");
        foreach (var u in units)
            foreach (var set in u.Result.Ood.Keys.Prepend(u.Config.InDistribution))
                if (!File.Exists(UnitFiles.ScoresPath(u.Dir, set)))
                    missing.Add($"{Rel(resultsDir, u.Dir)}: {UnitFiles.ScoresFolder}/{set}.csv is missing (its histogram and ROC curve are left out)");
        if (units.Count == 0)
            missing.Insert(0, $"no finished unit in {resultsDir}: nothing to show yet (runs write here with `repro run ... --out {resultsDir}`)");
        return (planned.Count, units, failed);
    }

    private static IReadOnlyList<TableLine> TableOf(PaperTable table, ToleranceBands? bands)
    {
        var verdicts = bands is null ? [] : table.Judge(bands);
        BandCheck? Check(string row, string metric, string? ood) =>
            verdicts.FirstOrDefault(v => v.Band.Row == row && v.Band.Metric == metric && v.Band.Ood == ood) is { } v
                ? new BandCheck(v.Band.Low, v.Band.High, v.Band.Reason, v.Verdict) : null;
        return table.Rows.Select(r => new TableLine(
            r.Definition.Name, r.Definition.Label, r.Definition.Score, r.FinishedSeeds.Count, table.Definition.Seeds.Length,
            table.Definition.Columns.Keys.Select(ood => new AurocEntry(ood, r.Own(ood).Auroc.Spread, r.Own(ood).Auroc.Count,
                r.Definition.Paper?.Auroc.GetValueOrDefault(ood), Check(r.Definition.Name, Band.AurocAverage, ood))).ToList(),
            r.Accuracy, r.Definition.Paper?.Accuracy, Check(r.Definition.Name, Band.AccuracyAverage, null))).ToList();
    }

    private static IReadOnlyList<ClaimLine> ClaimsOf(PaperTable table, ToleranceBands? bands) => bands is null ? [] : table.JudgeClaims(bands)
        .Select(c => new ClaimLine(c.Claim.Text, c.Left, c.Right, c.Claim.Margin, c.Verdict, c.Judgement, c.Statistics)).ToList();

    private static IReadOnlyList<SeedSpread> SeedSpreadsOf(PaperTable table) =>
        (from row in table.Rows
         from ood in table.Definition.OodSets.Keys
         let seeds = row.Own(ood).Auroc.PerSeed.OrderBy(s => s.Seed).Select(s => new SeedAuroc(s.Seed, s.Value)).ToList()
         select new SeedSpread(row.Definition.Name, row.Definition.Label, ood, seeds, row.Definition.Paper?.Auroc.GetValueOrDefault(ood)))
        .ToList();

    /// <summary>Test accuracy over seeds beside the last epoch's training accuracy, per row that trains a model.</summary>
    private static IReadOnlyList<AccuracyLine> AccuracyOf(PaperTable table, IReadOnlyList<FinishedUnit> units) => table.Rows
        .Where(row => row.Definition.ModelOf is null && row.AccuracySeeds.Count > 0)
        .Select(row => (row, finalTrain: SeedValues.Of(units.Select(u => u.Result).Where(r => r.Row == row.Definition.Name),
            r => r.Curve.Count > 0 ? r.Curve[^1].Accuracy : double.NaN)))
        .Select(x => new AccuracyLine(x.row.Definition.Name, x.row.Definition.Label, x.row.AccuracySeeds.Count, x.row.AccuracySeeds.Mean,
            x.row.AccuracySeeds.Min, x.row.AccuracySeeds.Max, x.finalTrain.Mean, x.row.Definition.Paper?.Accuracy))
        .ToList();

    private static IReadOnlyList<UnitLine> UnitLinesOf(ExperimentDefinition definition, IReadOnlyList<FinishedUnit> units) =>
        units.OrderBy(u => definition.TrainedRows.ToList().FindIndex(r => r.Name == u.Result.Row)).ThenBy(u => u.Result.Seed)
            .Select(u => u.Result).Select(r => new UnitLine(r.Row, r.Seed, r.Device, r.Versions.GetValueOrDefault("commit", "unknown"),
                r.Versions.GetValueOrDefault("torchsharp", "?"), r.Versions.GetValueOrDefault("libtorch", "?"),
                r.Curve.Count, r.Curve.Count > 0 ? r.Curve.Average(e => e.Seconds) : double.NaN, r.TrainSeconds, r.WallSeconds,
                r.Finished.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'")))
            .ToList();

    /// <summary>Per key the units recorded (the device, then each version), the distinct values.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> EnvironmentOf(IReadOnlyList<FinishedUnit> units)
    {
        var environment = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["device"] = units.Select(u => u.Result.Device).Distinct().Order().ToList(),
        };
        foreach (var key in units.SelectMany(u => u.Result.Versions.Keys).Distinct())
            environment[key] = units.Select(u => u.Result.Versions.GetValueOrDefault(key, "?")).Distinct().Order().ToList();
        return environment;
    }

    /// <summary>Per data split, the content hashes the units saw; more than one is said in <paramref name="missing"/>.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> DataHashesOf(IReadOnlyList<FinishedUnit> units, List<string> missing)
    {
        var hashes = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var split in units.SelectMany(u => u.Result.DataHashes.Keys).Distinct())
        {
            hashes[split] = units.Select(u => u.Result.DataHashes.GetValueOrDefault(split)).OfType<string>().Distinct().Order().ToList();
            if (hashes[split].Count > 1) missing.Add($"data split {split} differs between units ({hashes[split].Count} content hashes): they did not see the same data");
        }
        return hashes;
    }

    private static IReadOnlyList<ScoreGridLine> ScoreGridOf(PaperTable table) =>
        (from ood in table.Definition.Columns.Keys
         from score in Scores.ScoreRegistry.Names
         select new ScoreGridLine(ood, score, table.Rows.Select(row =>
         {
             var s = row.EveryScore[ood][score];
             double? Mean(SeedValues v) => v.Count == 0 ? null : v.Mean;
             return new ScoreCell(row.Definition.Label, s.Auroc.Count, Mean(s.Auroc),
                 s.MeanSeedHalfWidth, s.MeanTestSetHalfWidth,
                 Mean(s.Fpr95), Mean(s.Fpr95OodPositive), score == row.Definition.Score);
         }).ToList())).ToList();

    private static (ExperimentDefinition, string Source, string? Path) ResolveDefinition(string resultsDir, string? definitionFile, ResultsManifest? manifest,
        IReadOnlyList<FinishedUnit> finished, string? repositoryRoot, List<string> missing)
    {
        if (definitionFile is not null) return (ExperimentDefinition.Load(definitionFile), Rel(repositoryRoot, definitionFile), definitionFile);
        if (manifest?.Definition is { } name)
        {
            var path = repositoryRoot is null ? null : ExperimentDefinition.PathOf(repositoryRoot, name);
            if (path is not null && File.Exists(path)) return (ExperimentDefinition.Load(path), Rel(repositoryRoot, path), path);
            missing.Add($"the results were made from definition '{name}', but {path ?? $"experiments/{name}.json (no repository found)"} " +
                        "does not exist; showing the rows recorded with the results, without the paper's numbers");
        }
        if (manifest is not null)
            return (Synthesize(manifest.Name, manifest.Description, manifest.Seeds, manifest.Rows),
                $"{ResultsManifest.FileName} in the results folder (the rows as run)", null);
        if (finished.Count == 0)
            return (Synthesize("empty", $"no {ResultsManifest.FileName} and no finished unit in this folder", [], []), "none", null);
        missing.Add($"no {ResultsManifest.FileName} in the folder: the planned units are unknown, so only finished ones are listed");
        var rows = finished.Select(u => u.Config).DistinctBy(c => c.Row).ToList();
        return (Synthesize(Path.GetFileName(resultsDir.TrimEnd('/')), "rows found in finished units",
            finished.Select(u => u.Result.Seed).Distinct().Order().ToList(), rows), "the finished units' config.json", null);
    }

    /// <summary>A definition for results that came from a config alone: each row as run, no paper numbers.</summary>
    private static ExperimentDefinition Synthesize(string name, string description, IReadOnlyList<int> seeds, IReadOnlyList<RunConfig> rows) =>
        new(name, 0, description, seeds.ToArray(),
            rows.Count == 0 ? new Dictionary<string, string>() : rows[0].OodSets.ToDictionary(o => o, _ => "OoD"),
            new JsonObject(), new Dictionary<string, string>(),
            rows.Select(r => new RowDefinition(r.Row, r.Row, r.PrimaryScore, JsonNode.Parse(r.ToJson())!.AsObject(), null)).ToList());

    /// <summary>The paper's Table 1 from experiments/table1.json, to compare orderings with results on other data.</summary>
    private static PaperReference? PaperTableForComparison(string? repositoryRoot)
    {
        var path = repositoryRoot is null ? null : Path.Combine(repositoryRoot, "experiments", "table1.json");
        if (path is null || !File.Exists(path)) return null;
        var table1 = ExperimentDefinition.Load(path);
        return new PaperReference(
            $"The paper's Table 1 ({table1.ConfigFor(table1.Rows[0]).InDistribution} in-distribution; from {Rel(repositoryRoot, path)}). " +
            "These results are on other data: compare the ordering of the rows, not the values.",
            table1.OodSets,
            table1.Rows.Where(r => r.Paper is not null).Select(r => new PaperLine(r.Label, r.Paper!.Auroc, r.Paper.Accuracy)).ToList());
    }

    /// <summary>Why a unit failed (its failure.json), or null when it did not.</summary>
    private static string? FailureOf(string resultsDir, string row, int seed)
    {
        try { return UnitFailure.TryLoad(ResultsFolder.Unit(resultsDir, row, seed).Dir)?.Reason; }
        catch (DataFormatException e) { return $"failed, and its {UnitFailure.FileName} is unreadable: {e.Message}"; }
    }

    /// <summary>The last checkpointed epoch of an interrupted unit, or null when it never started.</summary>
    private static int? InProgress(string resultsDir, string row, int seed)
    {
        try { return ResultsFolder.Unit(resultsDir, row, seed).CheckpointedEpoch; }
        catch (DataFormatException) { return null; }   // a damaged checkpoint is the runner's to report; here it is just not finished
    }

    private static string Rel(string? root, string path) =>
        root is null ? path : Path.GetRelativePath(root, Path.GetFullPath(path)) is var r && !r.StartsWith("..") ? r : path;
}

/// <summary>What the figures are drawn from: the resolved definition and the finished units shown.</summary>
public sealed record ReportInputs(ExperimentDefinition Definition, IReadOnlyList<FinishedUnit> Units);
