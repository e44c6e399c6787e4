using Repro.Cli.Tables;
using System.CommandLine;
using Repro.Experiments;

namespace Repro.Cli.Verbs;

/// <summary>`repro bands`: tolerance bands from our own seeds (mean ± 3 standard errors), written beside the definition.</summary>
internal static class BandsVerb
{
    public static Command Create()
    {
        var definition = CommonOptions.Definition("the definition that was run, e.g. fmnist", required: true);
        var from = CommonOptions.RequiredPath("--from", "DIR", "the finished run's results folder");
        var log = new Option<string>("--log") { Description = "the run's committed log, named in the bands", HelpName = "PATH", Required = true };
        var command = new Command("bands", "tolerance bands from our own seeds into <definition>.bands.json, keeping its claims") { definition, from, log };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(definition)!;
            var loaded = ExperimentDefinition.Load(file);
            var units = ExperimentRunner.FindFinishedOf(loaded.ToExperiment(), parse.GetRequiredValue(from));
            var path = ToleranceBands.PathBeside(file);
            var bands = MeasuredBands.FromSeeds(loaded, units.Select(u => u.Result).ToList(), parse.GetRequiredValue(log),
                File.Exists(path) ? ToleranceBands.Load(path) : null);
            bands.Save(path);
            Console.WriteLine($"{bands.Cells.Count} bands and {bands.Claims.Count} claims written to {path}");
            Console.WriteLine(PaperTable.Aggregate(loaded, units.Select(u => u.Result).ToList()).Format(bands, path));
            return ExitCodes.Ok;
        });
        return command;
    }
}
