using System.Diagnostics;
using System.Globalization;
using Repro;
using Repro.Cli;
using Repro.Data;
using Repro.Experiments;
using Repro.Training;

// `repro`: the one command-line entry. Verbs: data fetch | data check | quick | run | presets.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
try
{
    return Commands.Dispatch(args);
}
catch (ReproException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e)
{
    // Not an anticipated failure: say what happened first, then the trace for a bug report.
    Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
    Console.Error.WriteLine("(unexpected; please report it with the trace below)");
    Console.Error.WriteLine(e.StackTrace);
    return 70;
}

namespace Repro.Cli
{
    internal static class Commands
    {
        private const string Usage = """
            repro — reproducibility harness for "Simple High Quality OoD Detection with L2 Normalization"

            usage:
              repro data fetch                  fetch + verify Fashion-MNIST and MNIST into the data directory
              repro data fetch cifar            fetch + verify CIFAR-10, CIFAR-100 and SVHN (test) from their authors' sites
              repro data check                  print count, label histogram and content hash of each split
              repro quick [--out DIR]           the main job: the `quick` preset, then its table
              repro run --preset NAME [--seeds 0,1,..] [--set key=value ...] [--out DIR]
              repro run --config FILE.json [--set key=value ...] [--out DIR]
              repro run --definition experiments/table1.json [--shard i/n] [--device cuda:0] [--seeds ..] [--out DIR]
                        [--workers N]           N processes share the run (each claims the next free unit):
                                                several seeds at once on one GPU; on the CPU the cores are split
              repro table --definition experiments/table1.json --from DIR [--bands FILE]
                                                Table 1 in the paper's shape from whatever units finished,
                                                each cell judged against its tolerance band
              repro report DIR [-o FILE.html] [--definition FILE] [--bands FILE]
                                                one self-contained HTML page from the results in DIR
                                                (default DIR/report.html); reads files only, never trains
              repro merge --into DIR SHARD_DIR...  merge shards' results folders into one (finished and failed
                                                units; unfinished ones are named, not copied)
              repro bench [--definition FILE] [--rows a,b] [--batch 128,1024] [--precision fp32,bf16] [--steps 30] [--warmup 5]
                          [--input step,data] [--device cuda] [--json FILE] [--peer PYTORCH.json]
                                                training throughput (img/s) of rows' models on synthetic
                                                batches; scripts/bench-vs-pytorch.sh sets it beside PyTorch
              repro presets                     list presets and their row configs
              repro reference --definition experiments/fmnist.json --from DIR
                                                summarize a finished full-budget run into
                                                artifacts/reference/fmnist.json (commit it; the quickstart shows it)
              repro bands --definition experiments/fmnist.json --from DIR --log PATH
                                                tolerance bands from our own seeds (mean ± 3 standard errors)
                                                into experiments/fmnist.bands.json, keeping its claims

            The data directory is $REPRO_DATA, else data/ in the repository. Results go to runs/<preset>-<time>/
            unless --out names a folder; units already finished there are skipped, never overwritten. Every run
            ends by writing DIR/report.html.
            """;

        public static int Dispatch(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Console.WriteLine(Usage); return args.Length == 0 ? 2 : 0; }
            return args[0] switch
            {
                "data" when args.Length == 2 && args[1] == "fetch" => DataFetch(),
                "data" when args.Length == 3 && args[1] == "fetch" && args[2] == "cifar" => DataFetchCifar(),
                "data" when args.Length == 2 && args[1] == "check" => DataCheck(),
                "quick" => Run(["--preset", "quick", .. args[1..]]),
                "run" => Run(args[1..]),
                "table" => Table(args[1..]),
                "report" => Report(args[1..]),
                "merge" => Merge(args[1..]),
                "bench" => Bench(args[1..]),
                "presets" => ListPresets(),
                "reference" => WriteReference(args[1..]),
                "bands" => WriteBands(args[1..]),
                _ => throw new ReproException($"unknown command '{string.Join(' ', args)}'\n\n{Usage}"),
            };
        }

        private static int DataFetch()
        {
            var root = DataPaths.Root();
            Console.WriteLine($"data directory: {root}");
            DataFetcher.FetchAll(root, Console.WriteLine);
            return 0;
        }

        private static int DataFetchCifar()
        {
            var root = DataPaths.Root();
            Console.WriteLine($"data directory: {root}");
            DataFetcher.FetchCifar(root, Console.WriteLine);
            return 0;
        }

        /// <summary>Every split, present (count, histogram, hash) or missing (with its fetch command); a corrupt file still fails.</summary>
        private static int DataCheck()
        {
            var data = new DataSets();
            Console.WriteLine($"data directory: {data.Root}");
            var splits = new[] { ("fashion-mnist", Split.Train), ("fashion-mnist", Split.Test), ("mnist", Split.Test),
                ("cifar10", Split.Train), ("cifar10", Split.Test), ("cifar100", Split.Train), ("cifar100", Split.Test), ("svhn", Split.Test) };
            var missing = new List<string>();
            foreach (var (name, split) in splits)
            {
                ImageSet set;
                try { set = data.Get(name, split); }
                catch (ReproException e) when (DataCatalog.IsMissing(e))
                {
                    missing.Add(name);
                    Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: not present (fetch with `{DataCatalog.FetchCommandFor(DataCatalog.Info(name))}`)");
                    continue;
                }
                PrintSplit(name, split, set);
            }
            // The quickstart's sets are required; CIFAR-10/100 and SVHN only for Table 1 on a GPU.
            return missing.Any(n => n is "fashion-mnist" or "mnist") ? 1 : 0;
        }

        private static void PrintSplit(string name, Split split, ImageSet set)
        {
            var histogram = set.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: {set.Count} images {set.Channels}×{set.Height}×{set.Width}, " +
                              $"labels {string.Join(' ', histogram)}, sha256 {set.ContentHash()}");
        }

        private static int ListPresets()
        {
            foreach (var e in Presets.All)
            {
                Console.WriteLine($"{e.Name}: {e.Description}; seeds {string.Join(",", e.Seeds)}");
                foreach (var row in e.Rows) Console.WriteLine(row.ToJson());
            }
            return 0;
        }

        private static int Run(string[] args)
        {
            _ = Runs.Provenance.ProcessCommit.Value;   // the commit this build is, before the checkout can move on
            var o = Options.Parse(args, Usage, "--preset", "--config", "--definition", "--device", "--shard", "--out", "--set", "--seeds", "--workers");
            var workers = o["--workers"] is { } workerText
                ? int.TryParse(workerText, out var w) && w >= 1 ? w : throw new ConfigException("workers", $"expected an integer ≥ 1, got '{workerText}'")
                : 1;
            string? preset = o["--preset"], configFile = o["--config"], definitionFile = o["--definition"], outDir = o["--out"], device = o["--device"];
            var shard = o["--shard"] is { } shardText ? ExperimentRunner.ParseShard(shardText) : (Index: 1, Count: 1);
            var overrides = o.All("--set").ToList();
            int[]? seeds = o["--seeds"] is { } seedText
                ? seedText.Split(',').Select(s => int.TryParse(s, out var v) ? v
                    : throw new ConfigException("seeds", $"expected comma-separated integers, got '{seedText}'")).ToArray()
                : null;
            if (new[] { preset, configFile, definitionFile }.Count(x => x is not null) != 1)
                throw new ReproException("give exactly one of --preset NAME, --config FILE.json or --definition FILE.json");

            var experiment = preset is not null ? Presets.Get(preset)
                : configFile is not null ? FromConfigFile(configFile)
                : ExperimentDefinition.Load(definitionFile!).ToExperiment();
            if (device is not null) overrides.Add($"device={device}");
            experiment = experiment.With(overrides);
            if (seeds is not null) experiment = experiment with { Seeds = seeds };

            var repo = DataPaths.RepositoryRoot() ?? Directory.GetCurrentDirectory();
            outDir ??= Path.Combine(repo, "runs", $"{experiment.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
            var data = new DataSets();
            Console.WriteLine($"repro {experiment.Name}: {experiment.Description}");
            if (overrides.Count > 0) Console.WriteLine($"overridden in every row: {string.Join(", ", overrides)}");
            Console.WriteLine($"device {Devices.Describe(Devices.Resolve(experiment.Rows[0].Device))}; data {data.Root}; results {outDir}");
            var clock = Stopwatch.StartNew();
            if (shard.Count > 1) Console.WriteLine($"shard {shard.Index}/{shard.Count}: {ExperimentRunner.Shard(experiment, shard.Index, shard.Count).Count} of {experiment.Units().Count()} units");
            var helpers = workers > 1 ? Workers.Start(args, outDir, workers, Devices.Resolve(experiment.Rows[0].Device)) : [];
            var outcome = ExperimentRunner.Run(experiment, outDir, data, unit => new ConsoleProgress($"[{unit.Row} s{unit.Seed}]"),
                Console.WriteLine, shard.Index, shard.Count);
            var helperStatus = Workers.Wait(helpers);
            if (workers > 1) outcome = outcome with { Finished = ExperimentRunner.LoadFinished(outDir) };
            if (definitionFile is not null)
            {
                Console.WriteLine();
                Console.WriteLine(PaperTable.Aggregate(ExperimentDefinition.Load(definitionFile), ExperimentRunner.LoadFinished(outDir))
                    .Format(TryBands(definitionFile), BandsPath(definitionFile)));
                Console.WriteLine($"results: {outDir}");
                ReportAfterRun(outDir, definitionFile);
                return Math.Max(Summarize(outcome), helperStatus);
            }

            // A small run is shown beside the full-budget Fashion-MNIST reference, when one has been committed.
            const string referenceName = "fmnist";   // experiments/fmnist.json, run on a GPU
            var reference = experiment.Name == referenceName ? null : ReferenceResults.TryLoad(DataPaths.RepositoryRoot(), referenceName);
            var referenceDefinition = DataPaths.RepositoryRoot() is { } root ? Path.Combine(root, "experiments", $"{referenceName}.json") : null;
            int? currentVersion = referenceDefinition is not null && File.Exists(referenceDefinition) ? ExperimentDefinition.Load(referenceDefinition).Version : null;
            Console.WriteLine();
            Console.WriteLine(ResultTable.Format($"{experiment.Name}: {experiment.Rows[0].InDistribution} (in-distribution) vs " +
                $"{string.Join(", ", experiment.Rows[0].OodSets)} (OoD); wall time {clock.Elapsed:m\\:ss}",
                ResultTable.Summarize(outcome.Finished), reference, referenceName, currentVersion));
            Console.WriteLine($"results: {outDir}");
            ReportAfterRun(outDir, null);
            return Math.Max(Summarize(outcome), helperStatus);
        }

        /// <summary>Units that failed or were left to other runners are said last; a failed unit makes the exit status 3.</summary>
        private static int Summarize(ExperimentOutcome outcome)
        {
            if (outcome.LeftToOthers.Count > 0)
                Console.WriteLine($"{outcome.LeftToOthers.Count} unit(s) were being run by another runner: " +
                                  string.Join(", ", outcome.LeftToOthers.Select(u => $"{u.Row} seed {u.Seed}")));
            if (outcome.Failed.Count == 0) return 0;
            Console.Error.WriteLine($"{outcome.Failed.Count} unit(s) FAILED (the others finished):");
            foreach (var f in outcome.Failed) Console.Error.WriteLine($"  {f.Row} seed {f.Seed}: {f.Reason}");
            return 3;
        }

        private static int Table(string[] args)
        {
            var o = Options.Parse(args, Usage, "--definition", "--from", "--bands");
            string? definitionFile = o["--definition"], from = o["--from"], bandsFile = o["--bands"];
            if (definitionFile is null || from is null) throw new ReproException("table needs --definition FILE and --from DIR");
            var table = PaperTable.Aggregate(ExperimentDefinition.Load(definitionFile), ExperimentRunner.LoadFinished(from));
            Console.WriteLine(table.Format(bandsFile is not null ? ToleranceBands.Load(bandsFile) : TryBands(definitionFile),
                bandsFile ?? BandsPath(definitionFile)));
            return 0;
        }

        private static int Report(string[] args)
        {
            string? dir = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
            var o = Options.Parse(dir is null ? args : args[1..], Usage, "-o", "--out", "--definition", "--bands", "--from");
            dir ??= o["--from"] ?? throw new ReproException("report needs a results folder: repro report DIR [-o FILE.html]");
            WriteReport(dir, o["-o"] ?? o["--out"] ?? Path.Combine(dir, Reporting.HtmlReport.FileName), o["--definition"], o["--bands"]);
            return 0;
        }

        private static int Bench(string[] args)
        {
            var o = Options.Parse(args, Usage, "--definition", "--rows", "--batch", "--steps", "--warmup", "--device", "--json", "--peer", "--precision", "--input");
            var peers = o["--peer"] is { } peerFile ? RatioTable.Load(peerFile) : null;
            var repo = DataPaths.RepositoryRoot() ?? Directory.GetCurrentDirectory();
            var definition = ExperimentDefinition.Load(o["--definition"] ?? Path.Combine(repo, "experiments", "table1.json"));
            var precisions = (o["--precision"] ?? "fp32,bf16").Split(',').Select(p => p switch
            {
                "fp32" => Model.ComputePrecision.Fp32, "bf16" => Model.ComputePrecision.Bf16,
                _ => throw new ConfigException("precision", $"expected fp32 and/or bf16, got '{p}'"),
            }).ToList();
            var rows = (o["--rows"] ?? "l2-60,logitnorm-60").Split(',')
                .SelectMany(r => precisions.Select(p => definition.ConfigFor(definition.Row(r)) with { Device = o["--device"] ?? "auto", Precision = p }))
                .ToList();
            int Int(string key, string fallback) => int.TryParse(o[key] ?? fallback, out var v) && v > 0 ? v
                : throw new ConfigException(key.TrimStart('-'), $"expected a positive integer, got '{o[key]}'");
            var batches = (o["--batch"] ?? "128,1024").Split(',').Select(b => int.TryParse(b, out var v) && v >= 2 ? v
                : throw new ConfigException("batch", $"expected comma-separated batch sizes ≥ 2, got '{o["--batch"]}'")).ToList();
            int steps = Int("--steps", "30"), warmup = Int("--warmup", "5");
            var inputs = (o["--input"] ?? "step").Split(',').Select(i => i switch
            {
                "step" => false, "data" => true,
                _ => throw new ConfigException("input", $"expected step and/or data (the batch drawn and augmented on the device first), got '{i}'"),
            }).ToList();
            var device = Devices.Resolve(rows[0].Device);
            Console.WriteLine($"train step, TorchSharp, {Devices.Describe(device)}; {warmup} warm-up + {steps} timed steps; synthetic batches on the device");
            var timings = new List<StepTiming>();
            foreach (var row in rows)
                foreach (var batch in batches)
                    foreach (var withData in inputs)
                    {
                        var t = StepBenchmark.Measure(row, batch, steps, warmup, device, withData);
                        timings.Add(t);
                        Console.WriteLine($"  {t.Row,-20} {t.Label,-12} batch {t.BatchSize,5}: {t.ImagesPerSecond,10:F0} img/s  {t.MillisecondsPerStep,8:F1} ms/step");
                    }
            if (o["--json"] is { } json)
                Runs.AtomicFile.WriteAllText(json, System.Text.Json.JsonSerializer.Serialize(timings, RunConfig.Json));
            if (peers is not null)
            {
                Console.WriteLine();
                Console.WriteLine(RatioTable.Format(timings, peers));
            }
            return 0;
        }

        private static int Merge(string[] args)
        {
            if (args.Length < 3 || args[0] != "--into") throw new ReproException($"merge needs --into DIR and one or more results folders\n\n{Usage}");
            ResultsMerge.Merge(args[1], args[2..], Console.WriteLine);
            return 0;
        }

        /// <summary>
        /// The report a run ends with is derived output: if it cannot be drawn (e.g. the GPU kit leaves ScottPlot's
        /// native renderer behind), the run's results still stand and its exit status is the run's.
        /// </summary>
        private static void ReportAfterRun(string outDir, string? definitionFile)
        {
            try { WriteReport(outDir, Path.Combine(outDir, Reporting.HtmlReport.FileName), definitionFile, null); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"report not written ({e.GetType().Name}: {e.Message}); the results are complete — " +
                                        $"run `repro report {outDir}` where ScottPlot can draw");
            }
        }

        private static void WriteReport(string resultsDir, string output, string? definitionFile, string? bandsFile)
        {
            var model = Reporting.HtmlReport.Write(resultsDir, output, definitionFile, bandsFile);
            Console.WriteLine($"report: {Path.GetFullPath(output)} ({model.UnitsFinished} of {model.UnitsPlanned} units; open it in a browser)");
        }

        /// <summary>experiments/x.json's bands live beside it as experiments/x.bands.json.</summary>
        private static ToleranceBands? TryBands(string definitionFile)
        {
            var path = BandsPath(definitionFile);
            return File.Exists(path) ? ToleranceBands.Load(path) : null;
        }

        private static string BandsPath(string definitionFile) => Path.ChangeExtension(definitionFile, ".bands.json");

        private static int WriteReference(string[] args)
        {
            var o = Options.Parse(args, Usage, "--definition", "--preset", "--from");
            var definition = o["--definition"] is { } file ? ExperimentDefinition.Load(file) : null;
            var experiment = definition is not null ? definition.ToExperiment()
                : o["--preset"] is { } name ? Presets.Get(name) : null;
            var from = o["--from"];
            if (experiment is null || from is null) throw new ReproException("reference needs --definition FILE (or --preset NAME) and --from DIR");
            var repo = DataPaths.RepositoryRoot() ?? throw new ReproException("run `repro reference` inside the repository");
            var units = ExperimentRunner.FindFinishedOf(experiment, from);
            var reference = ReferenceResults.FromResults(experiment.Name, experiment.Description, units.Select(u => u.Result).ToList(),
                definition?.Version);
            var path = ReferenceResults.PathFor(repo, experiment.Name);
            reference.Save(path);
            Console.WriteLine(ResultTable.Format($"reference for `{experiment.Name}` written to {path}", reference.Rows, null, null));
            return 0;
        }

        private static int WriteBands(string[] args)
        {
            var o = Options.Parse(args, Usage, "--definition", "--from", "--log");
            if (o["--definition"] is not { } file || o["--from"] is not { } from || o["--log"] is not { } log)
                throw new ReproException("bands needs --definition FILE, --from DIR (the finished run) and --log PATH (its committed log)");
            var definition = ExperimentDefinition.Load(file);
            var units = ExperimentRunner.FindFinishedOf(definition.ToExperiment(), from);
            var path = BandsPath(file);
            var bands = MeasuredBands.FromSeeds(definition, units.Select(u => u.Result).ToList(), log, File.Exists(path) ? ToleranceBands.Load(path) : null);
            bands.Save(path);
            Console.WriteLine($"{bands.Cells.Count} bands and {bands.Claims.Count} claims written to {path}");
            Console.WriteLine(PaperTable.Aggregate(definition, units.Select(u => u.Result).ToList()).Format(bands, path));
            return 0;
        }

        private static Experiment FromConfigFile(string path)
        {
            if (!File.Exists(path)) throw new ReproException($"config file {path} does not exist");
            var config = RunConfig.FromJson(File.ReadAllText(path), path);
            return new Experiment(Path.GetFileNameWithoutExtension(path), $"config {path}", [config], [config.Seed]);
        }
    }
}
