using Repro.Cli.Tables;
using System.CommandLine;
using Repro.Experiments;
using Repro.Runs;

namespace Repro.Cli.Verbs;

/// <summary>`repro table`: the paper's table from whatever units have finished, each cell judged against its band.</summary>
internal static class TableVerb
{
    public static Command Create()
    {
        var definition = CommonOptions.Definition("the definition that was run, e.g. table1", required: true);
        var from = CommonOptions.RequiredPath("--from", "DIR", "the results folder of a run of that definition");
        var bands = new Option<string?>("--bands") { Description = "tolerance bands (default: the .bands.json beside the definition)", HelpName = "FILE" };
        var command = new Command("table", "the table in the paper's shape from the finished units, each cell judged against its tolerance band")
            { definition, from, bands };
        command.SetAction(parse =>
        {
            var definitionFile = parse.GetValue(definition)!;
            var bandsFile = parse.GetValue(bands);
            var resultsDir = parse.GetRequiredValue(from);
            var planned = ExperimentDefinition.Load(definitionFile).PlannedIn(resultsDir);
            var table = PaperTable.Aggregate(planned, ResultsFolder.LoadFinished(resultsDir));
            Console.WriteLine(table.Format(bandsFile is not null ? ToleranceBands.Load(bandsFile) : ToleranceBands.TryLoadBeside(definitionFile),
                bandsFile ?? ToleranceBands.PathBeside(definitionFile)));
            Console.WriteLine(table.FormatScoreGrid());
            if (Ablation.Of(table) is { } ablation) Console.Write(ablation.Format(table));
            return ExitCodes.Ok;
        });
        return command;
    }
}
