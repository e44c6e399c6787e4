using System.Globalization;
using System.CommandLine;
using Repro.Experiments;

namespace Repro.Cli;

/// <summary>Options several verbs share, each parsed and validated once, so errors name the option the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>`--definition NAME|FILE`: a committed definition by name (experiments/NAME.json) or a definition file; the value is its path.</summary>
    public static Option<string?> Definition(string description = "an experiment definition: a committed one by name (table1, fmnist, quick, …) or a file",
        bool required = false) => new("--definition")
    {
        Description = description,
        HelpName = "NAME|FILE",
        Required = required,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            try { return ExperimentDefinition.Locate(text); }
            catch (ReproException e) { result.AddError($"--definition: {e.Message}"); return null; }
        },
    };

    public static Option<string?> From(string description = "a results folder") =>
        new("--from") { Description = description, HelpName = "DIR" };

    /// <summary>A path option the verb cannot do without (parsing fails naming it when absent).</summary>
    public static Option<string> RequiredPath(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Required = true };

    public static Option<string?> Device() =>
        new("--device") { Description = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N", HelpName = "DEVICE" };

    /// <summary>`--seeds 0,1,2`: comma-separated integers.</summary>
    public static Option<int[]?> Seeds() => new("--seeds")
    {
        Description = "comma-separated seeds (distinct integers ≥ 0), instead of the experiment's own",
        HelpName = "0,1,..",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            var parts = text.Split(',');
            if (parts.All(p => int.TryParse(p, System.Globalization.NumberStyles.None, null, out _))
                && parts.Select(int.Parse).Distinct().Count() == parts.Length)
                return parts.Select(int.Parse).ToArray();
            Refuse(result, "--seeds", "distinct comma-separated integers ≥ 0");
            return null;
        },
    };

    /// <summary>`--shard i/n`, 1 ≤ i ≤ n.</summary>
    public static Option<ShardSpec> Shard() => new("--shard")
    {
        Description = "run only unit k of the fixed order where (k mod n) + 1 = i, so n runners never overlap",
        HelpName = "i/n",
        DefaultValueFactory = _ => new ShardSpec(1, 1),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            try { var (index, count) = ExperimentRunner.ParseShard(text, "--shard"); return new ShardSpec(index, count); }
            catch (ReproException e) { result.AddError(e.Message); return new ShardSpec(1, 1); }
        },
    };

    /// <summary>The one way an option's value is refused: "--x: expected …, got '…'", the value on one line as given.</summary>
    public static void Refuse(System.CommandLine.Parsing.ArgumentResult result, string option, string expected) =>
        result.AddError($"{option}: expected {expected}, got '{ReproException.OneLine(string.Join(" ", result.Tokens.Select(t => t.Value)))}'");

    /// <summary>A positive integer option with a default.</summary>
    public static Option<int> Positive(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "N",
        // Parsed here, not validated after: a validator that reads a value the parser could not convert throws.
        CustomParser = result =>
        {
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
            Refuse(result, name, "an integer ≥ 1");
            return defaultValue;
        },
    };

    /// <summary>A comma-separated list with a default, e.g. `--rows l2-60,logitnorm-60`.</summary>
    public static Option<string[]> List(string name, string defaultValue, string description) => new(name)
    {
        Description = $"{description} (comma-separated; default {defaultValue})",
        HelpName = "a,b",
        DefaultValueFactory = _ => defaultValue.Split(','),
        CustomParser = result => result.Tokens.Count == 1 ? result.Tokens[0].Value.Split(',') : defaultValue.Split(','),
    };
}

/// <summary>This runner's share of the units: the Index-th of Count.</summary>
internal readonly record struct ShardSpec(int Index, int Count)
{
    public override string ToString() => $"{Index}/{Count}";
}
