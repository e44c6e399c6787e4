using System.CommandLine;
using Repro.Cli.Verbs;

namespace Repro.Cli;

/// <summary>`repro`: the one command-line entry. Each verb is a file in Verbs/; System.CommandLine parses and writes --help.</summary>
public static class ReproCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("repro — reproducibility harness for \"Simple High Quality OoD Detection with L2 Normalization\"\n\n" +
                                   "The data directory is $REPRO_DATA, else data/ in the repository. Results go to runs/<name>-<time>/ unless " +
                                   "--out names a folder; units already finished there are skipped, never overwritten. Every run ends by " +
                                   "writing <out>/report.html.")
        {
            DataVerb.Create(), RunVerb.CreateQuick(), RunVerb.Create(), TableVerb.Create(), ReportVerb.Create(), MergeVerb.Create(),
            ScoreVerb.Create(), CompareVerb.Create(), BenchVerb.Create(), DefinitionsVerb.Create(), ReferenceVerb.Create(), BandsVerb.Create(),
            ExportVerb.Create(),
        };
        // No verb: the help, and the usage-error status.
        root.SetAction(_ =>
        {
            root.Parse("--help").Invoke();
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>Parses and runs one command line; every failure ends as one "error:" line on standard error and an exit code.</summary>
    public static int Run(string[] args)
    {
        try
        {
            return Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ReproException e)
        {
            Console.Error.WriteLine($"error: {e.Message}{CommandHints.For(e)}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            // Not an anticipated failure: say what happened first, then the trace for a bug report.
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine("(unexpected; please report it with the trace below)");
            Console.Error.WriteLine(e.StackTrace);
            return ExitCodes.Unexpected;
        }
    }
}
