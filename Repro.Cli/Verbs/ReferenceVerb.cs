using Repro.Cli.Tables;
using System.CommandLine;
using Repro.Data;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro reference`: a finished full-budget run summarized into artifacts/reference/&lt;name&gt;.json.</summary>
internal static class ReferenceVerb
{
    public static Command Create()
    {
        var definition = CommonOptions.Definition("the definition that was run, e.g. fmnist", required: true);
        var from = CommonOptions.RequiredPath("--from", "DIR", "the finished run's results folder");
        var command = new Command("reference",
            "summarize a finished full-budget run into artifacts/reference/<name>.json (commit it; the quickstart shows it)") { definition, from };
        command.SetAction(parse =>
        {
            var loaded = ExperimentDefinition.Load(parse.GetValue(definition)!);
            var experiment = loaded.ToExperiment();
            var repo = DataPaths.RepositoryRoot() ?? throw new ReproException("run `repro reference` inside the repository");
            var units = ExperimentRunner.FindFinishedOf(experiment, parse.GetRequiredValue(from));
            var reference = ReferenceResults.FromResults(experiment.Name, experiment.Description, units.Select(u => u.Result).ToList(), loaded.Version);
            var path = ReferenceResults.PathFor(repo, experiment.Name);
            reference.Save(path);
            Console.WriteLine(ResultTableText.Format($"reference for `{experiment.Name}` written to {path}", reference.Rows, null, null));
            return ExitCodes.Ok;
        });
        return command;
    }
}
