using System.CommandLine;
using Repro.Data;

namespace Repro.Cli.Verbs;

/// <summary>`repro data fetch [cifar]`, `repro data check` and `repro data npy`.</summary>
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
        var name = new Argument<string>("set") { Description = "a data set name (repro data check lists them), e.g. mnist, fashion-mnist, cifar10" };
        var split = new Option<Split>("--split") { Description = "train or test", DefaultValueFactory = _ => Split.Test };
        var output = new Option<string?>("--out", "-o") { Description = "the file to write (default <set>-<split>.npy; labels beside it as …-labels.npy)", HelpName = "FILE.npy" };
        var npy = new Command("npy", "write a split as decoded uint8 pixels [N, C, H, W] in NumPy's .npy format, its labels beside it — for other tools (scripts/interop/score_pytorch.py)")
            { name, split, output };
        npy.SetAction(parse => WriteNpy(parse.GetValue(name)!, parse.GetValue(split), parse.GetValue(output)));
        return new Command("data", "fetch, check and convert the data sets") { fetch, check, npy };
    }

    private static int WriteNpy(string name, Split split, string? output)
    {
        var images = new DataSets().Get(name, split);
        var file = output ?? $"{name}-{split.ToString().ToLowerInvariant()}.npy";
        var labels = Path.ChangeExtension(file, null) + "-labels.npy";
        foreach (var existing in new[] { file, labels }.Where(File.Exists))
            throw new ReproException($"{existing} already exists; refusing to overwrite it");
        Repro.Runs.NpyFile.WriteUInt8(file, images.Pixels, images.Count, images.Channels, images.Height, images.Width);
        // uint8 where every label fits; int64 otherwise (OpenOOD's OoD lists label every image −1).
        bool small = images.Labels.All(l => l is >= 0 and <= byte.MaxValue);
        if (small) Repro.Runs.NpyFile.WriteUInt8(labels, images.Labels.Select(l => (byte)l).ToArray(), images.Count);
        else Repro.Runs.NpyFile.WriteInt64(labels, images.Labels);
        Console.WriteLine($"{file}: {images.Count} images, uint8 [{images.Count}, {images.Channels}, {images.Height}, {images.Width}]; " +
                          $"labels ({(small ? "uint8" : "int64")}): {labels}");
        return ExitCodes.Ok;
    }

    /// <summary>Every split, present or missing (with its fetch command); a corrupt file still fails.</summary>
    private static int Check()
    {
        var data = new DataSets();
        Console.WriteLine($"data directory: {data.Root}");
        (string, Split)[] splits = [("fashion-mnist", Split.Train), ("fashion-mnist", Split.Test), ("mnist", Split.Test),
            ("cifar10", Split.Train), ("cifar10", Split.Test), ("cifar100", Split.Train), ("cifar100", Split.Test), ("svhn", Split.Test),
            .. DataCatalog.OpenOodLists.Keys.Select(n => (n, Split.Test))];
        var missing = new List<string>();
        foreach (var (name, split) in splits)
        {
            ImageSet images;
            try { images = data.Get(name, split); }
            catch (DataMissingException e)
            {
                missing.Add(name);
                Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: not present" + (DataCatalog.OpenOodLists.ContainsKey(name)
                    ? $" (OpenOOD's {DataCatalog.OpenOodLists[name]}; docs/openood.md)" : $" (fetch with `{CommandHints.FetchFor(e.Set)}`)"));
                continue;
            }
            var histogram = images.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            Console.WriteLine($"{name}/{split.ToString().ToLowerInvariant()}: {images.Count} images {images.Channels}×{images.Height}×{images.Width}, " +
                              $"labels {string.Join(' ', histogram)}, sha256 {images.ContentHash()}");
        }
        // The quickstart's sets are required; CIFAR-10/100 and SVHN only for Table 1 on a GPU, OpenOOD's for its benchmark.
        return missing.Any(n => n is "fashion-mnist" or "mnist") ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
