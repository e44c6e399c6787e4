using System.CommandLine;
using Repro.Data;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro reference`: a finished full-budget run summarized into artifacts/reference/&lt;name&gt;.json.</summary>
internal static class ReferenceVerb
{
    public static Command Create()
    {
        var definition = CommonOptions.Definition("the definition that was run, e.g. experiments/fmnist.json");
        var preset = new Option<string?>("--preset") { Description = "or the committed definition that was run, by name", HelpName = "NAME" };
        var from = CommonOptions.RequiredPath("--from", "DIR", "the finished run's results folder");
        var command = new Command("reference",
            "summarize a finished full-budget run into artifacts/reference/<name>.json (commit it; the quickstart shows it)") { definition, preset, from };
        command.SetAction(parse =>
        {
            var loaded = parse.GetValue(definition) is { } file ? ExperimentDefinition.Load(file)
                : parse.GetValue(preset) is { } name ? ExperimentDefinition.LoadNamed(name)
                : throw new ReproException("reference needs --definition FILE (or --preset NAME)");
            var experiment = loaded.ToExperiment();
            var repo = DataPaths.RepositoryRoot() ?? throw new ReproException("run `repro reference` inside the repository");
            var units = ExperimentRunner.FindFinishedOf(experiment, parse.GetRequiredValue(from));
            var reference = ReferenceResults.FromResults(experiment.Name, experiment.Description, units.Select(u => u.Result).ToList(), loaded.Version);
            var path = ReferenceResults.PathFor(repo, experiment.Name);
            reference.Save(path);
            Console.WriteLine(ResultTable.Format($"reference for `{experiment.Name}` written to {path}", reference.Rows, null, null));
            return ExitCodes.Ok;
        });
        return command;
    }
}
