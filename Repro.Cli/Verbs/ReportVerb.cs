using System.CommandLine;

namespace Repro.Cli.Verbs;

/// <summary>`repro report DIR`: one self-contained HTML page from a results folder; reads files only, never trains.</summary>
internal static class ReportVerb
{
    public static Command Create()
    {
        var dir = new Argument<string?>("DIR") { Description = "the results folder", Arity = ArgumentArity.ZeroOrOne };
        var from = CommonOptions.From("the results folder (instead of DIR)");
        var output = new Option<string?>("--out", "-o") { Description = "the page to write (default DIR/report.html)", HelpName = "FILE.html" };
        var definition = CommonOptions.Definition("the experiment definition (default: the one the folder's experiment.json names)");
        var bands = new Option<string?>("--bands") { Description = "tolerance bands (default: the .bands.json beside the definition)", HelpName = "FILE" };
        var command = new Command("report", "one self-contained HTML page from the results in DIR") { dir, from, output, definition, bands };
        command.SetAction(parse =>
        {
            var resultsDir = parse.GetValue(dir) ?? parse.GetValue(from)
                ?? throw new ReproException("report needs a results folder: repro report DIR [-o FILE.html]");
            Write(resultsDir, parse.GetValue(output) ?? Path.Combine(resultsDir, Reporting.HtmlReport.FileName), parse.GetValue(definition), parse.GetValue(bands));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The report a run ends with is derived output: if it cannot be drawn (no usable native renderer for ScottPlot,
    /// say), the run's results still stand and its exit status is the run's.
    /// </summary>
    public static void WriteAfterRun(string outDir, string? definitionFile)
    {
        try { Write(outDir, Path.Combine(outDir, Reporting.HtmlReport.FileName), definitionFile, null); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"report not written ({e.GetType().Name}: {e.Message}); the results are complete — " +
                                    $"run `repro report {outDir}` where ScottPlot can draw");
        }
    }

    private static void Write(string resultsDir, string output, string? definitionFile, string? bandsFile)
    {
        var model = Reporting.HtmlReport.Write(resultsDir, output, definitionFile, bandsFile);
        Console.WriteLine($"report: {Path.GetFullPath(output)} ({model.UnitsFinished} of {model.UnitsPlanned} units; open it in a browser)");
    }
}
