using System.CommandLine;
using Repro.Experiments;
using Repro.Runs;

namespace Repro.Cli.Verbs;

/// <summary>`repro merge --into DIR SHARD_DIR...`: shards' results folders into one.</summary>
internal static class MergeVerb
{
    public static Command Create()
    {
        var into = new Option<string>("--into") { Description = "the merged results folder", HelpName = "DIR", Required = true };
        var shards = new Argument<string[]>("SHARD_DIR") { Description = "the shards' results folders", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "merge shards' results folders into one (finished and failed units; unfinished ones are named, not copied)")
            { into, shards };
        command.SetAction(parse =>
        {
            ResultsMerge.Merge(parse.GetRequiredValue(into), parse.GetRequiredValue(shards), Console.WriteLine);
            return ExitCodes.Ok;
        });
        return command;
    }
}
