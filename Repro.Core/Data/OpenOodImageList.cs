using System.Globalization;

namespace Repro.Data;

/// <summary>One line of an OpenOOD image list: its 1-based line number, the image's path under images_classic/, its label.</summary>
public sealed record ImageListEntry(int Line, string ImagePath, long Label);

/// <summary>
/// OpenOOD v1.5's benchmark sets as it distributes them (Jingkang50/OpenOOD, scripts/download/download.py): lists under
/// <c>benchmark_imglist/&lt;benchmark&gt;/</c>, one image per line, <c>path label</c> (OoD sets label −1), the images under
/// <c>images_classic/</c> at any depth, PNG or JPEG, grey or colour, any size. Read as
/// openood/datasets/imglist_dataset.py reads them (a line is split at its first space; a path may not start with "/")
/// and decoded as its CIFAR test-time preprocessor transforms them (openood/evaluation_api/preprocessor.py,
/// TestStandardPreProcessor with pre_size = img_size = 32):
/// <list type="number">
/// <item>Image.open(f).convert("RGB"): alpha dropped, grey replicated, palettes looked up (<see cref="ImageFolder.DecodeRgb"/>);</item>
/// <item>torchvision Resize(32, BILINEAR): the shorter side to 32, the longer to ⌊32·long/short⌋, by PIL's own bilinear
/// resampling (<see cref="ImageFolder.Resize(byte[], int, int, int, int, int)"/>); an image whose shorter side is already
/// 32 is left as it is, as torchvision leaves it;</item>
/// <item>CenterCrop(32): top = round((H − 32)/2), left = round((W − 32)/2), Python's round (halves to even).</item>
/// </list>
/// ToTensor and Normalize are the evaluator's, with the model's own statistics: OpenOOD normalizes with its CIFAR-10 std
/// (0.2470, 0.2435, 0.2616), but a model trained here saw DDU's (<see cref="DataCatalog.Cifar10"/>), so its OoD sets must too.
/// A test checks the decoded bytes against torchvision's own transforms on fixture files in this layout.
/// <para>
/// Departures, each refused with one error naming the list and line rather than read differently: a label that is not an
/// integer (OpenOOD also reads a Python dict literal of extras; its benchmark lists never carry one), an image listed
/// twice, a path with a ".." segment (it would leave images_classic/), and a truncated image (OpenOOD sets PIL's
/// LOAD_TRUNCATED_IMAGES and scores whatever part decodes).
/// </para>
/// </summary>
public static class OpenOodImageList
{
    public const string ListsFolder = "benchmark_imglist", ImagesFolder = "images_classic";

    /// <summary>The list's lines, checked: every line <c>path label</c>, no path twice, none absolute or climbing out.</summary>
    public static IReadOnlyList<ImageListEntry> ReadList(string listPath)
    {
        if (!File.Exists(listPath)) throw new FileNotFoundException($"{listPath} does not exist", listPath);
        var entries = new List<ImageListEntry>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        int number = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            number++;
            var line = raw.TrimEnd('\r');
            string Where() => $"line {number} ('{Shorten(line)}')";
            int space = line.IndexOf(' ');
            if (line.Length == 0) throw new DataFormatException(listPath, "'path label' on every line", $"an empty line {number}");
            if (space <= 0)
                throw new DataFormatException(listPath, "'path label' on every line (one space between)", Where());
            var path = line[..space];
            var labelText = line[(space + 1)..].Trim();
            if (!long.TryParse(labelText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var label))
                throw new DataFormatException(listPath, "an integer label after the path (OoD sets: -1)", $"'{Shorten(labelText)}' on {Where()}");
            if (path.StartsWith('/'))
                throw new DataFormatException(listPath, $"paths relative to {ImagesFolder}/ (OpenOOD refuses a leading '/')", Where());
            if (path.Split('/', '\\').Contains(".."))
                throw new DataFormatException(listPath, $"paths inside {ImagesFolder}/ (no '..' segment)", Where());
            if (firstLine.TryGetValue(path, out var earlier))
                throw new DataFormatException(listPath, "each image listed once", $"{path} on lines {earlier} and {number}");
            firstLine[path] = number;
            entries.Add(new ImageListEntry(number, path, label));
        }
        if (entries.Count == 0) throw new DataFormatException(listPath, "an image list with at least one line", "an empty file");
        return entries;
    }

    /// <summary>
    /// The list <paramref name="listName"/> (e.g. "cifar10/test_tin.txt") of the OpenOOD data folder <paramref name="root"/>
    /// (holding benchmark_imglist/ and images_classic/), decoded to 3 × side × side uint8 by the rules above; labels as
    /// listed. Every listed file must exist and decode: the first that does not is named with its list and line.
    /// </summary>
    public static ImageSet Load(string root, string listName, string name, int side, int numClasses)
    {
        var listPath = Path.Combine(root, ListsFolder, listName);
        var imagesRoot = Path.Combine(root, ImagesFolder);
        var entries = ReadList(listPath);
        var missing = entries.Where(e => !File.Exists(Path.Combine(imagesRoot, e.ImagePath))).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(listPath, $"every listed image under {imagesRoot}",
                $"line {missing[0].Line}'s {missing[0].ImagePath} missing" + (missing.Count > 1 ? $" (and {missing.Count - 1:N0} more of {entries.Count:N0})" : ""));

        int size = 3 * side * side;
        var pixels = new byte[(long)entries.Count * size];
        var failures = new string?[entries.Count];
        Parallel.For(0, entries.Count, i =>
        {
            try { Preprocess(Path.Combine(imagesRoot, entries[i].ImagePath), side).CopyTo(pixels, (long)i * size); }
            catch (ImageDecodeException e) { failures[i] = e.Message; }
        });
        if (failures.Select((f, i) => (f, i)).FirstOrDefault(x => x.f is not null) is ({ } reason, var index))
            throw new DataFormatException(listPath, "images that decode as PNG or JPEG", $"line {entries[index].Line}'s {entries[index].ImagePath}, which {reason}");
        return new ImageSet(name, pixels, entries.Select(e => e.Label).ToArray(), 3, side, side, numClasses);
    }

    /// <summary>One file through Convert("RGB"), Resize(side), CenterCrop(side): 3 × side × side planar uint8.</summary>
    public static byte[] Preprocess(string path, int side)
    {
        var (rgb, width, height) = ImageFolder.DecodeRgb(path);
        var planes = ImageFolder.ToChannels(rgb, width * height, 3);
        var (newHeight, newWidth) = ResizedSize(height, width, side);
        if ((newHeight, newWidth) != (height, width)) planes = ImageFolder.Resize(planes, 3, height, width, newHeight, newWidth);
        return CenterCrop(planes, 3, newHeight, newWidth, side);
    }

    /// <summary>torchvision's size for Resize(side) of an H × W image: the shorter side to side, the longer ⌊side·long/short⌋.</summary>
    public static (int Height, int Width) ResizedSize(int height, int width, int side)
    {
        int shortSide = Math.Min(height, width), longSide = Math.Max(height, width);
        int newLong = (int)(side * (double)longSide / shortSide);
        return width <= height ? (newLong, side) : (side, newLong);
    }

    /// <summary>torchvision's CenterCrop on C × H × W planes at least side × side: offsets rounded half to even, as Python's round.</summary>
    public static byte[] CenterCrop(byte[] planes, int channels, int height, int width, int side)
    {
        if (height < side || width < side) throw new ArgumentException($"a {height}×{width} image is smaller than the {side}×{side} crop");
        int top = (int)Math.Round((height - side) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((width - side) / 2.0, MidpointRounding.ToEven);
        if ((height, width) == (side, side)) return planes;
        var output = new byte[channels * side * side];
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < side; y++)
            Array.Copy(planes, (c * height + top + y) * width + left, output, (c * side + y) * side, side);
        return output;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
