using System.CommandLine;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro presets`: the built-in experiments and every row's config.</summary>
internal static class PresetsVerb
{
    public static Command Create()
    {
        var command = new Command("presets", "list the presets and every row's config");
        command.SetAction(_ =>
        {
            foreach (var e in Presets.All)
            {
                Console.WriteLine($"{e.Name}: {e.Description}; seeds {string.Join(",", e.Seeds)}");
                foreach (var row in e.Rows) Console.WriteLine(row.ToJson());
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
