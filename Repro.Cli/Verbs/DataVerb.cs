using System.CommandLine;
using Repro.Data;

namespace Repro.Cli.Verbs;

/// <summary>`repro data fetch [cifar]` and `repro data check`.</summary>
internal static class DataVerb
{
    public static Command Create()
    {
        var set = new Argument<string?>("set") { Description = "cifar: CIFAR-10, CIFAR-100 and SVHN (test) instead", Arity = ArgumentArity.ZeroOrOne };
        set.AcceptOnlyFromAmong("cifar");
        var fetch = new Command("fetch", "fetch and verify Fashion-MNIST and MNIST into the data directory (`fetch cifar`: CIFAR-10, CIFAR-100, SVHN)") { set };
        fetch.SetAction(parse =>
        {
            var root = DataPaths.Root();
            Console.WriteLine($"data directory: {root}");
            if (parse.GetValue(set) == "cifar") DataFetcher.FetchCifar(root, Console.WriteLine);
            else DataFetcher.FetchAll(root, Console.WriteLine);
            return ExitCodes.Ok;
        });
        var check = new Command("check", "list every split: count, label histogram and content hash, or the command that fetches it");
        check.SetAction(_ => Check());
        return new Command("data", "fetch and check the data sets") { fetch, check };
    }

    /// <summary>Every split, present or missing (with its fetch command); a corrupt file still fails.</summary>
    private static int Check()
    {
        var data = new DataSets();
        Console.WriteLine($"data directory: {data.Root}");
        var splits = new[] { ("fashion-mnist", Split.Train), ("fashion-mnist", Split.Test), ("mnist", Split.Test),
            ("cifar10", Split.Train), ("cifar10", Split.Test), ("cifar100", Split.Train), ("cifar100", Split.Test), ("svhn", Split.Test) };
        var missing = new List<string>();
        foreach (var (name, split) in splits)
        {
            ImageSet images;
            try { images = data.Get(name, split); }
            catch (ReproException e) when (DataCatalog.IsMissing(e))
            {
                missing.Add(name);
                Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: not present (fetch with `{DataCatalog.FetchCommandFor(DataCatalog.Info(name))}`)");
                continue;
            }
            var histogram = images.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: {images.Count} images {images.Channels}×{images.Height}×{images.Width}, " +
                              $"labels {string.Join(' ', histogram)}, sha256 {images.ContentHash()}");
        }
        // The quickstart's sets are required; CIFAR-10/100 and SVHN only for Table 1 on a GPU.
        return missing.Any(n => n is "fashion-mnist" or "mnist") ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
