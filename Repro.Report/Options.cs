using Repro;

namespace Repro.Cli;

/// <summary>A verb's `--name value` options; an unknown name or a missing value is an error naming the option.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, List<string>> values = new();

    public static Options Parse(string[] args, string usage, params string[] known)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            if (!known.Contains(args[i])) throw new ReproException($"unknown option '{args[i]}'\n\n{usage}");
            if (i + 1 >= args.Length) throw new ReproException($"option {args[i]} needs a value");
            if (!options.values.TryGetValue(args[i], out var list)) options.values[args[i]] = list = [];
            list.Add(args[++i]);
        }
        return options;
    }

    /// <summary>The option's value (the last one when repeated), or null when absent.</summary>
    public string? this[string name] => values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];
}
