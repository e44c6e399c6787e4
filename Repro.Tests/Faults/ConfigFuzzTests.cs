using Repro.Cli.Tables;
using System.Text.Json.Nodes;
using Repro.Cli;
using Repro.Data;
using Repro.Experiments;
using Repro.Metrics;
using Repro.Runs;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>
/// Seeded fuzzing of the text a user writes (issue 28): definition and bands files mutated from the committed ones,
/// `--set` overrides, and command lines. Each case must end in a usable result whose every derived path stays inside
/// its folder — or in one <see cref="ReproException"/> of one line that names the file or key. Anything else (another
/// exception type, a path outside, a second line) is a finding; a failure lists each with its case and seed, so it
/// can be replayed. REPRO_FUZZ_SEED and REPRO_FUZZ_SCALE (a multiplier of every count) run longer searches.
/// </summary>
public class ConfigFuzzTests(ITestOutputHelper output)
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("REPRO_FUZZ_SEED"), out var s) ? s : 20261203;
    private static int Cases(int count) => count * (int.TryParse(Environment.GetEnvironmentVariable("REPRO_FUZZ_SCALE"), out var k) && k > 0 ? k : 1);
    private static string Repo => DataPaths.RepositoryRoot()!;

    /// <summary>Why <paramref name="e"/> is not one clear error naming one of <paramref name="names"/>, or null when it is.</summary>
    internal static string? Unclear(Exception e, params string[] names)
    {
        if (e is not ReproException) return $"{e.GetType().Name} (not a clear error): {e.Message}";
        if (e.Message.Contains('\n')) return $"a message of several lines: {e.Message}";
        if (names.Length > 0 && !names.Any(n => n.Length > 0 && e.Message.Contains(n))) return $"names none of {string.Join(", ", names)}: {e.Message}";
        return null;
    }

    private static bool Inside(string folder, string path)
    {
        var root = Path.GetFullPath(folder).TrimEnd('/') + "/";
        return Path.GetFullPath(path).StartsWith(root, StringComparison.Ordinal);
    }

    /// <summary>Prints the counts and fails with the findings, each one line with control characters escaped: a raw NUL in a
    /// failure message cuts off the test runner's report (`dotnet test` then counted two tests of four, silently).</summary>
    internal static void Report(ITestOutputHelper output, string input, int cases, int accepted, List<string> findings)
    {
        output.WriteLine($"{input}: {cases} cases — {accepted} accepted, {cases - accepted} refused; {findings.Count} finding(s)");
        Assert.True(findings.Count == 0, $"{input}: {findings.Count} finding(s):\n" + string.Join("\n", findings.Take(20).Select(ReproException.OneLine)));
    }

    private void Report(string input, int cases, int accepted, List<string> findings) => Report(output, input, cases, accepted, findings);

    // ------------------------------------------------------------------------------------------------ definitions

    [Fact]
    public void Definitions_load_with_every_path_inside_or_fail_naming_file_and_key()
    {
        var bases = ExperimentDefinition.Names(Repo).Select(n => JsonNode.Parse(File.ReadAllText(ExperimentDefinition.PathOf(Repo, n)))!.AsObject()).ToList();
        using var temp = new TempDir();
        var random = new Random(Seed);
        var findings = new List<string>();
        int cases = Cases(400), accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var doc = (JsonObject)bases[r.Next(bases.Count)].DeepClone();
            var what = string.Join("; ", Enumerable.Range(0, 1 + r.Next(3)).Select(_ => MutateDefinition(doc, r)));
            var path = temp.File($"case-{i}.json");
            File.WriteAllText(path, doc.ToJsonString());
            var label = $"case {i} (seed {seed}): {what}";
            try
            {
                var definition = ExperimentDefinition.Load(path);
                if (DefinitionEscape(definition) is { } escape) findings.Add($"{label}: loaded, but {escape}");
                accepted++;
            }
            catch (Exception e) when (Unclear(e, path) is { } why) { findings.Add($"{label}: {why}"); }
            catch (ReproException) { }
        }
        Report("definition files", cases, accepted, findings);
    }

    /// <summary>Where a loaded definition would lead a run outside its folders, or null; it must also show as a table.</summary>
    private static string? DefinitionEscape(ExperimentDefinition definition)
    {
        var runs = Path.Combine(Repo, "runs");
        if (!Inside(runs, Path.Combine(runs, $"{definition.Name}-20261203-000000"))) return $"its default results folder leaves runs/ ('{definition.Name}')";
        if (definition.Reference is { } reference && !Inside(Path.Combine(Repo, "artifacts", "reference"), ReferenceResults.PathFor(Repo, reference)))
            return $"its reference leaves artifacts/reference/ ('{reference}')";
        const string results = "/results/of/a/run";
        foreach (var unit in definition.ToExperiment().Units())
        {
            UnitFolder folder;
            try { folder = ResultsFolder.Unit(results, unit); }
            catch (ConfigException e) when (e.Key == "row" && ResultsFolder.OwnFiles.Contains(unit.Row)) { continue; }   // refused before a run writes
            if (!Inside(results, folder.Partial) || !Inside(results, folder.Dir) || folder.ClaimKey.Contains('/') || folder.ClaimKey.StartsWith('.')
                || ResultsFolder.OwnFiles.Contains(Path.GetRelativePath(results, Path.GetDirectoryName(folder.Dir)!)))
                return $"unit {unit.Row} seed {unit.Seed} leaves the results folder";
        }
        PaperTable.Aggregate(definition, []).Format();   // it can be shown before any unit finished
        return null;
    }

    private static string MutateDefinition(JsonObject doc, Random r)
    {
        var rows = doc["rows"] as JsonArray;
        var row = rows is { Count: > 0 } ? rows[r.Next(rows.Count)] as JsonObject : null;
        switch (r.Next(11))
        {
            case 0: doc["name"] = Nasty.Name(r); return $"name = {doc["name"]!.ToJsonString()}";
            case 1: doc["reference"] = Nasty.Name(r); return $"reference = {doc["reference"]!.ToJsonString()}";
            case 2 when row is not null: row["name"] = Nasty.Name(r); return $"a row's name = {row["name"]!.ToJsonString()}";
            case 3 when row is not null:
                row["modelOf"] = r.Next(2) == 0 && rows!.Count > 1 ? rows[r.Next(rows.Count)]!["name"]?.DeepClone() : Nasty.Name(r);
                row.Remove("config");
                return $"a row scores {row["modelOf"]?.ToJsonString()}'s model";
            case 4:
            {
                var target = (r.Next(2) == 0 || row?["config"] is not JsonObject ? doc["common"] : row!["config"]) as JsonObject;
                if (target is null) return "nothing";
                var key = r.Next(5) == 0 ? Nasty.Name(r) : RunConfig.Keys[r.Next(RunConfig.Keys.Count)];
                target[key] = Nasty.Json(r);
                return $"config key {key} = {target[key]?.ToJsonString() ?? "null"}";
            }
            case 5:
                doc["seeds"] = r.Next(4) switch
                {
                    0 => new JsonArray(-1), 1 => new JsonArray(0, 0), 2 => new JsonArray(), _ => new JsonArray(Nasty.Json(r)),
                };
                return $"seeds = {doc["seeds"]!.ToJsonString()}";
            case 6:
            {
                var from = r.Next(2) == 0 || row is null ? doc : row;
                var key = from.Select(kv => kv.Key).ElementAtOrDefault(r.Next(Math.Max(1, from.Count)));
                if (key is not null) from.Remove(key);
                return $"key {key} removed";
            }
            case 7 when row is not null: rows!.Add(row.DeepClone()); return "a row twice";
            case 8:
            {
                var key = new[] { "rows", "common", "oodSets", "sources", "version", "seeds", "name" }[r.Next(7)];
                doc[key] = Nasty.Json(r);
                return $"{key} = {doc[key]?.ToJsonString() ?? "null"}";
            }
            case 9 when row is not null: row["score"] = Nasty.Name(r); return $"a row's score = {row["score"]!.ToJsonString()}";
            default:
                doc["oodSets"] = new JsonObject { [Nasty.Name(r)] = "far-OoD" };
                return "oodSets renamed";
        }
    }

    // ------------------------------------------------------------------------------------------------ bands

    [Fact]
    public void Bands_load_and_judge_or_fail_naming_the_file()
    {
        var bases = new[] { "fmnist", "table1" }.Select(n => (Definition: ExperimentDefinition.LoadNamed(n),
            Bands: JsonNode.Parse(File.ReadAllText(ToleranceBands.PathBeside(ExperimentDefinition.PathOf(Repo, n))))!.AsObject())).ToList();
        using var temp = new TempDir();
        var random = new Random(Seed + 1);
        var findings = new List<string>();
        int cases = Cases(300), accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var (definition, bands) = bases[r.Next(bases.Count)];
            var doc = (JsonObject)bands.DeepClone();
            var what = string.Join("; ", Enumerable.Range(0, 1 + r.Next(3)).Select(_ => MutateBands(doc, r)));
            var path = temp.File($"case-{i}.bands.json");
            File.WriteAllText(path, doc.ToJsonString());
            var label = $"case {i} (seed {seed}): {what}";
            try
            {
                var loaded = ToleranceBands.Load(path);
                // Judged against a table of made-up units: every verdict and the formatted table must come out.
                var table = PaperTable.Aggregate(definition, FakeUnits(definition, r));
                table.Judge(loaded).ToList();
                table.JudgeClaims(loaded).ToList();
                table.Format(loaded, path);
                accepted++;
            }
            catch (Exception e) when (Unclear(e, path) is { } why) { findings.Add($"{label}: {why}"); }
            catch (ReproException) { }
        }
        Report("bands files", cases, accepted, findings);
    }

    private static string MutateBands(JsonObject doc, Random r)
    {
        var cells = doc["cells"] as JsonArray;
        var claims = doc["claims"] as JsonArray;
        var cell = cells is { Count: > 0 } ? cells[r.Next(cells.Count)] as JsonObject : null;
        var claim = claims is { Count: > 0 } ? claims[r.Next(claims.Count)] as JsonObject : null;
        switch (r.Next(7))
        {
            case 0 when cell is not null:
            {
                var key = new[] { "row", "metric", "ood", "low", "high", "reason" }[r.Next(6)];
                cell[key] = Nasty.Json(r);
                return $"a cell's {key} = {cell[key]?.ToJsonString() ?? "null"}";
            }
            case 1 when cell is not null: (cell["low"], cell["high"]) = (cell["high"]?.DeepClone(), cell["low"]?.DeepClone()); return "a cell's low and high swapped";
            case 2 when claim is not null:
            {
                var key = new[] { "id", "text", "left", "right", "margin" }[r.Next(5)];
                claim[key] = r.Next(2) == 0 ? Nasty.Json(r) : new JsonObject { ["row"] = Nasty.Name(r), ["ood"] = Nasty.Name(r) };
                return $"a claim's {key} = {claim[key]?.ToJsonString() ?? "null"}";
            }
            case 3:
            {
                var key = new[] { "format", "alpha", "definition", "version", "notes", "cells", "claims", "measured" }[r.Next(8)];
                doc[key] = Nasty.Json(r);
                return $"{key} = {doc[key]?.ToJsonString() ?? "null"}";
            }
            case 4 when cells is not null && cell is not null: cells.Add(cell.DeepClone()); return "a cell twice";
            case 5:
            {
                var key = doc.Select(kv => kv.Key).ElementAtOrDefault(r.Next(Math.Max(1, doc.Count)));
                if (key is not null) doc.Remove(key);
                return $"key {key} removed";
            }
            default: doc[Nasty.Name(r)] = 1; return "an unknown key";
        }
    }

    /// <summary>A seed or two of each row with random AUROCs and accuracies, some units missing an OoD set.</summary>
    private static List<UnitResult> FakeUnits(ExperimentDefinition definition, Random r) =>
        definition.Rows.Where(row => row.ModelOf is null).SelectMany(row => definition.Seeds.Take(r.Next(3)).Select(seed =>
            new UnitResult(row.Name, seed, row.Score, r.NextDouble(),
                definition.OodSets.Keys.Where(_ => r.Next(5) > 0).ToDictionary(o => o, o => (IReadOnlyDictionary<string, OodMetrics>)
                    new Dictionary<string, OodMetrics> { [row.Score] = new(r.NextDouble(), r.NextDouble(), 0, 0) }),
                [], 0, 0, "test", new Dictionary<string, string>(), new Dictionary<string, string>(), DateTimeOffset.UnixEpoch))).ToList();

    // ------------------------------------------------------------------------------------------------ --set

    [Fact]
    public void Overrides_give_a_valid_config_inside_the_folder_or_name_the_key()
    {
        var quick = ExperimentDefinition.LoadNamed("quick").ToExperiment();
        var random = new Random(Seed + 2);
        var findings = new List<string>();
        int cases = Cases(2000), accepted = 0;
        const string results = "/results/of/a/run";
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var assignments = Enumerable.Range(0, 1 + r.Next(3)).Select(_ =>
            {
                var key = r.Next(6) == 0 ? Nasty.Name(r) : RunConfig.Keys[r.Next(RunConfig.Keys.Count)];
                return r.Next(12) == 0 ? key : $"{key}={Nasty.Text(r)}";
            }).ToList();
            var label = $"case {i} (seed {seed}): --set {string.Join(" --set ", assignments.Select(a => a.Replace("\n", "\\n")))}";
            var keys = assignments.Select(a => ReproException.OneLine(a.Split('=')[0].Trim())).Concat(assignments.Select(ReproException.OneLine))
                .Concat(RunConfig.Keys).Append("override").ToArray();
            try
            {
                // One row (a --config file) and the quickstart's three rows take the same overrides.
                var experiment = (r.Next(2) == 0 ? quick.OnlyRows(["l2"]) : quick).With(assignments);
                foreach (var unit in experiment.Units())
                {
                    unit.Validate();
                    if (!Inside(results, ResultsFolder.Unit(results, unit).Partial) || ResultsFolder.OwnFiles.Contains(unit.Row))
                        findings.Add($"{label}: row '{unit.Row}' leaves the results folder or takes one of its own files' names");
                }
                if (experiment.Rows.Select(u => u.Row).Distinct().Count() != experiment.Rows.Count) findings.Add($"{label}: two rows share a folder");
                accepted++;
            }
            catch (ConfigException e) when (Unclear(e, keys) is null) { }
            catch (Exception e) { findings.Add($"{label}: {Unclear(e, keys) ?? e.Message}"); }
        }
        Report("--set overrides", cases, accepted, findings);
    }

    // ------------------------------------------------------------------------------------------------ command lines

    private static readonly (string Verb, string[] Options, int Arguments)[] Verbs =
    [
        ("run", ["--config", "--definition", "--device", "--shard", "--out", "--set", "--seeds", "--workers", "--stack", "--rows", "--save-features"], 0),
        ("quick", ["--device", "--shard", "--out", "--set", "--seeds", "--workers", "--stack", "--rows"], 0),
        ("table", ["--definition", "--from", "--bands"], 0),
        ("report", ["-o", "--definition", "--bands"], 1),
        ("merge", ["--into"], 2),
        ("score", ["--images", "-o", "--strict", "--device"], 1),
        ("compare", ["--repeat", "--equivalence"], 2),
        ("bench", ["--definition", "--rows", "--batch", "--precision", "--input", "--layout", "--stack", "--steps", "--warmup", "--device", "--json", "--project", "--peer", "--timings"], 0),
        ("export", ["--format", "-o"], 1),
        ("data", [], 1),
        ("definitions", [], 0),
        ("bands", ["--definition", "--from"], 0),
        ("reference", ["--definition", "--from"], 0),
    ];

    /// <summary>
    /// Parsing never throws, each error is one line, and what parses satisfies its option's rule: seeds distinct and
    /// ≥ 0, a shard i/n with 1 ≤ i ≤ n, workers, stacks and steps ≥ 1.
    /// </summary>
    [Fact]
    public void Command_lines_parse_to_valid_values_or_one_line_errors()
    {
        var random = new Random(Seed + 3);
        var findings = new List<string>();
        int cases = Cases(3000), accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var (verb, options, arguments) = Verbs[r.Next(Verbs.Length)];
            var args = new List<string> { verb };
            for (int a = r.Next(arguments + 2); a > 0; a--) args.Add(Nasty.Text(r));
            for (int o = r.Next(4); o > 0 && options.Length > 0; o--)
            {
                args.Add(options[r.Next(options.Length)]);
                if (r.Next(8) > 0) args.Add(Nasty.Text(r));
            }
            var label = $"case {i} (seed {seed}): repro {string.Join(' ', args.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a))}";
            try
            {
                var parsed = ReproCommand.Create().Parse(args);
                if (parsed.Errors.Count > 0)
                {
                    // System.CommandLine's own "Unrecognized command or argument 'x'" quotes the token as given, line breaks and all.
                    foreach (var error in parsed.Errors.Where(e => string.IsNullOrWhiteSpace(e.Message)
                                                                   || e.Message.Contains('\n') && !e.Message.StartsWith("Unrecognized command or argument")))
                        findings.Add($"{label}: an error of no or several lines: '{error.Message}'");
                    continue;
                }
                accepted++;
                if (parsed.Action is System.CommandLine.Help.HelpAction) continue;   // help is shown, the values are not used
                foreach (var result in parsed.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>())
                    if (Breaks(result) is { } why) findings.Add($"{label}: parsed, but {why}");
            }
            catch (Exception e) { findings.Add($"{label}: parsing threw {e.GetType().Name}: {e.Message}"); }
        }
        Report("command lines", cases, accepted, findings);
    }

    private static string? Breaks(System.CommandLine.Parsing.OptionResult result)
    {
        var name = result.Option.Name;
        object? value = result.Option switch
        {
            System.CommandLine.Option<int[]?> o => result.GetValueOrDefault<int[]?>(),
            System.CommandLine.Option<int?> => result.GetValueOrDefault<int?>(),
            System.CommandLine.Option<int> => result.GetValueOrDefault<int>(),
            _ => null,
        };
        return (name, value) switch
        {
            ("--seeds", int[] seeds) when seeds.Any(s => s < 0) || seeds.Distinct().Count() != seeds.Length => $"--seeds gave [{string.Join(",", seeds)}]",
            ("--workers" or "--steps" or "--warmup", int n) when n < 1 => $"{name} gave {n}",
            ("--stack", int k) when k < 1 => $"--stack gave {k}",
            ("--shard", _) when result.GetValueOrDefault<object>()?.ToString() is { } shard
                                && (shard.Split('/') is not [var i, var n] || !int.TryParse(i, out var a) || !int.TryParse(n, out var b) || a < 1 || a > b)
                => $"--shard gave {shard}",
            _ => null,
        };
    }
}
