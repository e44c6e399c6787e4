using Repro.Cli.Tables;
using System.CommandLine;
using System.Diagnostics;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Training;

namespace Repro.Cli.Verbs;

/// <summary>`repro run` (a definition, by file or by name, or a one-row config file) and `repro quick` (experiments/quick.json).</summary>
internal static class RunVerb
{
    private sealed record Inputs(string? Config, string? Definition, string? Device, ShardSpec Shard,
        string? Out, IReadOnlyList<string> Overrides, int[]? Seeds, int Workers, int? Stack, bool SaveFeatures, string[]? Rows);

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "one row from a JSON file (keys as in config.json)", HelpName = "FILE.json" };
        var definition = CommonOptions.Definition("a versioned experiment definition — a committed one by name (quick, fmnist, table1, …; " +
                                                  "`repro definitions` lists them) or a file: every row × its seeds, then its table");
        var command = new Command("run", "train and evaluate every (row, seed) unit of an experiment, resuming what a previous run left")
            { config, definition };
        var shared = AddShared(command);
        command.SetAction(parse =>
        {
            var (device, shard, outDir, sets, seeds, workers, stack, features, rows) = shared;
            var chosen = new[] { parse.GetValue(config), parse.GetValue(definition) };
            if (chosen.Count(x => x is not null) != 1)
                throw new ReproException("give exactly one of --definition NAME|FILE or --config FILE.json");
            return Run(new Inputs(chosen[0], chosen[1], parse.GetValue(device), parse.GetValue(shard), parse.GetValue(outDir),
                parse.GetValue(sets) ?? [], SeedsOrNull(parse.GetValue(seeds)), parse.GetValue(workers), parse.GetValue(stack),
                parse.GetValue(features), RowsOrNull(parse.GetValue(rows))));
        });
        return command;
    }

    public static Command CreateQuick()
    {
        var command = new Command("quick", "the main job: experiments/quick.json on the CPU in minutes, then its table beside the full-budget reference");
        var shared = AddShared(command);
        command.SetAction(parse =>
        {
            var (device, shard, outDir, sets, seeds, workers, stack, features, rows) = shared;
            return Run(new Inputs(null, ExperimentDefinition.Locate("quick"), parse.GetValue(device), parse.GetValue(shard), parse.GetValue(outDir),
                parse.GetValue(sets) ?? [], SeedsOrNull(parse.GetValue(seeds)), parse.GetValue(workers), parse.GetValue(stack),
                parse.GetValue(features), RowsOrNull(parse.GetValue(rows))));
        });
        return command;
    }

    /// <summary>No seeds given means the experiment's own (an absent array option can parse as empty).</summary>
    private static int[]? SeedsOrNull(int[]? seeds) => seeds is { Length: > 0 } ? seeds : null;

    /// <summary>No rows given means every row.</summary>
    private static string[]? RowsOrNull(string[]? rows) => rows is { Length: > 0 } ? rows : null;

    private static (Option<string?>, Option<ShardSpec>, Option<string?>, Option<string[]?>, Option<int[]?>, Option<int>, Option<int?>, Option<bool>,
        Option<string[]?>) AddShared(Command command)
    {
        var device = CommonOptions.Device();
        var shard = CommonOptions.Shard();
        var outDir = new Option<string?>("--out") { Description = "results folder (default runs/<name>-<time>); finished units there are skipped", HelpName = "DIR" };
        var sets = new Option<string[]?>("--set") { Description = "key=value changed in every row (JSON values; bare words are strings); repeatable", HelpName = "key=value" };
        var seeds = CommonOptions.Seeds();
        var workers = CommonOptions.Positive("--workers", 1,
            "N processes share the run, each claiming the next free unit: several seeds at once on one GPU; on the CPU the cores are split");
        var stack = new Option<int?>("--stack")
        {
            Description = "train up to K seeds of a row as one stacked model (grouped convolutions; each seed keeps its own data, " +
                          "initialization and unit); default: 1 on the CPU and at batches over 256, 8 on an H100/H200/A100 (Training/Devices.cs)",
            HelpName = "K",
            CustomParser = result =>
            {
                if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.None, null, out var k) && k >= 1) return k;
                CommonOptions.Refuse(result, "--stack", "an integer ≥ 1");
                return null;
            },
        };
        var features = new Option<bool>("--save-features")
        {
            Description = "also write each unit's penultimate features (ID train, ID test, every OoD set) as NumPy .npy files, " +
                          "float32 [images, feature dim], in <unit>/features/",
        };
        command.Add(device); command.Add(shard); command.Add(outDir); command.Add(sets); command.Add(seeds); command.Add(workers); command.Add(stack);
        var rows = new Option<string[]?>("--rows")
        {
            Description = "train only these rows of the experiment (comma-separated names, as in the definition)",
            HelpName = "a,b",
            CustomParser = result => result.Tokens.Count == 1 ? result.Tokens[0].Value.Split(',', StringSplitOptions.TrimEntries) : null,
        };
        command.Add(features); command.Add(rows);
        return (device, shard, outDir, sets, seeds, workers, stack, features, rows);
    }

    private static int Run(Inputs input)
    {
        _ = Runs.Provenance.ProcessCommit.Value;   // the commit this build is, before the checkout can move on
        var repo = DataPaths.RepositoryRoot() ?? Directory.GetCurrentDirectory();
        var definitionFile = input.Definition;
        var definition = definitionFile is not null ? ExperimentDefinition.Load(definitionFile) : null;
        var experiment = definition?.ToExperiment() ?? FromConfigFile(input.Config!);
        var overrides = input.Overrides.ToList();
        if (input.Device is not null) overrides.Add($"device={input.Device}");
        experiment = experiment.With(overrides);
        if (input.Rows is not null) experiment = experiment.OnlyRows(input.Rows);
        if (input.Seeds is not null) experiment = experiment with { Seeds = input.Seeds };

        var outDir = input.Out ?? Path.Combine(repo, "runs", $"{experiment.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
        var data = new DataSets();
        Console.WriteLine($"repro {experiment.Name}: {experiment.Description}");
        if (overrides.Count > 0) Console.WriteLine($"overridden in every row: {string.Join(", ", overrides)}");
        var device = Devices.Resolve(experiment.Rows[0].Device);
        Console.WriteLine($"device {Devices.Describe(device)}; data {data.Root}; results {outDir}");
        var clock = Stopwatch.StartNew();
        var (shard, shards) = input.Shard;
        StackRule stack = input.Stack is { } fixedSize ? fixedSize : StackRule.Default(device);
        var stacked = experiment.Rows.Where(r => stack.For(r) > 1).Select(r => $"{r.Row} up to {stack.For(r)}").ToList();
        if (stacked.Count > 0) Console.WriteLine($"seeds trained as one stacked model (--stack): {string.Join(", ", stacked)}");
        if (shards > 1) Console.WriteLine($"shard {shard}/{shards}: {ExperimentRunner.Shard(experiment, shard, shards, stack).Count} of {experiment.Units().Count()} units");
        var helpers = input.Workers > 1 ? Workers.Start(SameRunArguments(input), outDir, input.Workers, device) : [];
        var outcome = ExperimentRunner.Run(experiment, outDir, data, unit => new ConsoleProgress($"[{unit.Row} s{unit.Seed}]"),
            Console.WriteLine, shard, shards, stack, input.SaveFeatures);
        var helperStatus = Workers.Wait(helpers);
        if (input.Workers > 1) outcome = outcome with { Finished = ResultsFolder.LoadFinished(outDir) };
        var planned = definition is null ? null : definition.PlannedIn(outDir);
        if (planned is { Reference: null })
        {
            Console.WriteLine();
            var paperTable = PaperTable.Aggregate(planned, ResultsFolder.LoadFinished(outDir));
            Console.WriteLine(paperTable.Format(ToleranceBands.TryLoadBeside(definitionFile!), ToleranceBands.PathBeside(definitionFile!)));
            Console.WriteLine(paperTable.FormatScoreGrid());
            if (Ablation.Of(paperTable) is { } ablation) Console.Write(ablation.Format(paperTable));
            Console.WriteLine($"results: {outDir}");
            ReportVerb.WriteAfterRun(outDir, definitionFile);
            return Math.Max(Summarize(outcome), helperStatus);
        }

        // A small run (the quickstart, a config file) is shown beside a full-budget run's committed reference.
        var referenceName = definition?.Reference ?? "fmnist";   // experiments/fmnist.json, run on a GPU
        var reference = experiment.Name == referenceName ? null : ReferenceResults.TryLoad(DataPaths.RepositoryRoot(), referenceName);
        var referenceDefinition = DataPaths.RepositoryRoot() is { } root ? ExperimentDefinition.PathOf(root, referenceName) : null;
        int? currentVersion = referenceDefinition is not null && File.Exists(referenceDefinition) ? ExperimentDefinition.Load(referenceDefinition).Version : null;
        Console.WriteLine();
        Console.WriteLine(ResultTableText.Format($"{experiment.Name}: {experiment.Rows[0].InDistribution} (in-distribution) vs " +
            $"{string.Join(", ", experiment.Rows[0].OodSets)} (OoD); wall time {clock.Elapsed:m\\:ss} on {Devices.Describe(device)}",
            ResultTable.Summarize(outcome.Finished), reference, referenceName, currentVersion));
        if (planned is not null) Console.WriteLine(PaperTable.Aggregate(planned, outcome.Finished).FormatScoreGrid());
        Console.WriteLine($"results: {outDir}");
        ReportVerb.WriteAfterRun(outDir, definitionFile);
        return Math.Max(Summarize(outcome), helperStatus);
    }

    /// <summary>The same run for a worker process: everything but --workers and --out (the workers get the folder).</summary>
    private static List<string> SameRunArguments(Inputs input)
    {
        var args = new List<string>();
        void Add(string name, string? value) { if (value is not null) args.AddRange([name, value]); }
        Add("--config", input.Config);
        Add("--definition", input.Definition);
        Add("--device", input.Device);
        if (input.Shard.Count > 1) Add("--shard", $"{input.Shard.Index}/{input.Shard.Count}");
        foreach (var set in input.Overrides) Add("--set", set);
        if (input.Seeds is not null) Add("--seeds", string.Join(",", input.Seeds));
        if (input.Stack is { } k) Add("--stack", k.ToString());
        if (input.Rows is not null) Add("--rows", string.Join(",", input.Rows));
        if (input.SaveFeatures) args.Add("--save-features");
        return args;
    }

    /// <summary>Units that failed or were left to other runners are said last; a failed unit makes the exit status 3.</summary>
    private static int Summarize(ExperimentOutcome outcome)
    {
        if (outcome.LeftToOthers.Count > 0)
            Console.WriteLine($"{outcome.LeftToOthers.Count} unit(s) were being run by another runner: " +
                              string.Join(", ", outcome.LeftToOthers.Select(u => $"{u.Row} seed {u.Seed}")));
        if (outcome.Failed.Count == 0) return ExitCodes.Ok;
        Console.Error.WriteLine($"{outcome.Failed.Count} unit(s) FAILED (the others finished):");
        foreach (var f in outcome.Failed) Console.Error.WriteLine($"  {f.Row} seed {f.Seed}: {f.Reason}");
        return ExitCodes.UnitsFailed;
    }

    private static Experiment FromConfigFile(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"config file {path} does not exist");
        var config = RunConfig.FromJson(File.ReadAllText(path), path);
        return new Experiment(Path.GetFileNameWithoutExtension(path), $"config {path}", [config], [config.Seed]);
    }
}
