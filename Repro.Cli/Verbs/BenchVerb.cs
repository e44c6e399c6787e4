using System.CommandLine;
using Repro.Cli.Bench;
using Repro.Data;
using Repro.Experiments;
using Repro.Training;

namespace Repro.Cli.Verbs;

/// <summary>`repro bench`: training throughput of rows' models on synthetic batches; scripts/bench-vs-pytorch.sh sets it beside PyTorch.</summary>
internal static class BenchVerb
{
    public static Command Create()
    {
        var definition = CommonOptions.Definition("the definition whose rows are timed (default table1)");
        var rows = CommonOptions.List("--rows", "l2-60,logitnorm-60", "rows of the definition");
        var batches = CommonOptions.List("--batch", "128,1024", "batch sizes ≥ 2");
        var precisions = CommonOptions.List("--precision", "fp32,bf16", "fp32, bf16 (convolutions) and/or bf16-activations (activations kept bf16 between them)");
        var inputs = CommonOptions.List("--input", "step", "step (synthetic batch already on the device) and/or data (drawn and augmented there first)");
        var layouts = CommonOptions.List("--layout", "default", "default (channels_last on CUDA, NCHW on the CPU, as training runs) and/or channels-last (forced on any device)");
        var stacks = CommonOptions.List("--stack", "1", "K seeds as one stacked model (grouped convolutions); img/s counts all K");
        var steps = CommonOptions.Positive("--steps", 30, "timed steps");
        var warmup = CommonOptions.Positive("--warmup", 5, "untimed steps first");
        var device = CommonOptions.Device();
        var json = new Option<string?>("--json") { Description = "also write the timings as JSON", HelpName = "FILE" };
        var project = new Option<bool>("--project") { Description = "also project the definition's whole run from the best measured rates" };
        var saved = new Option<string?>("--timings")
        {
            Description = "measure nothing: read the timings an earlier `--json` wrote (e.g. a GPU lease's) for --project and --peer",
            HelpName = "FILE",
        };
        var peer = new Option<string?>("--peer") { Description = "PyTorch's timings (scripts/peer/train_step.py --json) for a ratio table", HelpName = "FILE" };
        var command = new Command("bench", "training throughput (img/s) of rows' models on synthetic batches")
            { definition, rows, batches, precisions, inputs, layouts, stacks, steps, warmup, device, json, peer, project, saved };
        command.SetAction(parse =>
        {
            var peers = parse.GetValue(peer) is { } peerFile ? RatioTable.Load(peerFile) : null;
            var repo = DataPaths.RepositoryRoot() ?? Directory.GetCurrentDirectory();
            var loaded = ExperimentDefinition.Load(parse.GetValue(definition) ?? ExperimentDefinition.PathOf(repo, "table1"));
            var precisionList = parse.GetRequiredValue(precisions).Select(p => Model.ComputePrecisions.Parse(p)
                ?? throw new ConfigException("precision", $"expected fp32, bf16 and/or bf16-activations, got '{p}'")).ToList();
            var configs = parse.GetRequiredValue(rows)
                .SelectMany(r => precisionList.Select(p => loaded.ConfigFor(loaded.Row(r)) with { Device = parse.GetValue(device) ?? "auto", Precision = p }))
                .ToList();
            var batchList = parse.GetRequiredValue(batches).Select(b => int.TryParse(b, out var v) && v >= 2 ? v
                : throw new ConfigException("batch", $"expected comma-separated batch sizes ≥ 2, got '{b}'")).ToList();
            var inputList = parse.GetRequiredValue(inputs).Select(i => i switch
            {
                "step" => false, "data" => true,
                _ => throw new ConfigException("input", $"expected step and/or data (the batch drawn and augmented on the device first), got '{i}'"),
            }).ToList();
            var stackList = parse.GetRequiredValue(stacks).Select(k => int.TryParse(k, out var v) && v >= 1 ? v
                : throw new ConfigException("stack", $"expected comma-separated stack sizes ≥ 1, got '{k}'")).ToList();
            var layoutList = parse.GetRequiredValue(layouts).Select(l => l switch
            {
                "default" => false, "channels-last" => true,
                _ => throw new ConfigException("layout", $"expected default and/or channels-last, got '{l}'"),
            }).ToList();
            int stepCount = parse.GetValue(steps), warmupCount = parse.GetValue(warmup);
            var timings = parse.GetValue(saved) is { } savedFile ? LoadTimings(savedFile) : new List<StepTiming>();
            if (parse.GetValue(saved) is { } from)
                Console.WriteLine($"timings read from {from}: {timings.Count}, {timings.Select(t => t.Device).FirstOrDefault()}, " +
                                  $"{timings.Min(t => t.TimedFrom):yyyy-MM-dd}");
            else
            {
                var resolved = Devices.Resolve(configs[0].Device);
                Console.WriteLine($"train step, TorchSharp, {Devices.Describe(resolved)}; {warmupCount} warm-up + {stepCount} timed steps; synthetic batches on the device");
                foreach (var row in configs)
                    foreach (var batch in batchList)
                        foreach (var withData in inputList)
                        foreach (var stack in stackList)
                        foreach (var channelsLast in layoutList)
                        {
                            var t = StepBenchmark.Measure(row, batch, stepCount, warmupCount, resolved, withData, stack, channelsLast);
                            timings.Add(t);
                            Console.WriteLine($"  {t.Row,-20} {t.Label,-12} batch {t.BatchSize,5}: {t.ImagesPerSecond,10:F0} img/s  {t.MillisecondsPerStep,8:F1} ms/step");
                        }
            }
            if (parse.GetValue(json) is { } jsonFile)
                Platform.AtomicFile.WriteAllText(jsonFile, System.Text.Json.JsonSerializer.Serialize(timings, JsonFiles.Options));
            if (peers is not null)
            {
                Console.WriteLine();
                Console.WriteLine(RatioTable.Format(timings, peers));
            }
            if (parse.GetValue(project))
            {
                Console.WriteLine();
                Console.WriteLine(Projection.Format(loaded, timings));
                // Each peer system (PyTorch eager, compiled, N processes) gets its own Table 1 at its own rates.
                foreach (var system in (peers ?? []).GroupBy(p => p.System))
                {
                    Console.WriteLine($"### {system.Key}");
                    Console.WriteLine();
                    Console.WriteLine(Projection.Format(loaded, system.Select(p => p.AsStepTiming()).ToList()));
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static List<StepTiming> LoadTimings(string path)
    {
        if (!File.Exists(path)) throw new ReproException($"timings file {path} does not exist");
        try
        {
            var timings = System.Text.Json.JsonSerializer.Deserialize<List<StepTiming>>(File.ReadAllText(path), JsonFiles.Options);
            return timings is { Count: > 0 } ? timings : throw new DataFormatException(path, "a JSON array of step timings (`repro bench --json`)", "none");
        }
        catch (System.Text.Json.JsonException e) { throw new DataFormatException(path, "a JSON array of step timings (`repro bench --json`)", e.Message); }
    }
}
