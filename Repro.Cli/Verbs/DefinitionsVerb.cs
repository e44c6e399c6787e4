using System.CommandLine;
using Repro.Data;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro definitions`: the committed definitions (experiments/*.json) and every row's resolved config.</summary>
internal static class DefinitionsVerb
{
    public static Command Create()
    {
        var command = new Command("definitions", "list the committed experiment definitions (experiments/*.json, named by --definition NAME) and every row's config");
        command.SetAction(_ =>
        {
            var repo = DataPaths.RepositoryRoot() ?? throw new ReproException("no repository found: the definitions live in its experiments/ folder");
            foreach (var name in ExperimentDefinition.Names(repo))
            {
                var d = ExperimentDefinition.LoadNamed(name);
                Console.WriteLine($"{d.Name} (version {d.Version}): {d.Source}; seeds {string.Join(",", d.Seeds)}");
                foreach (var row in d.TrainedRows) Console.WriteLine(d.ConfigFor(row).ToJson());
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
