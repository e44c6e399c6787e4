namespace Repro.Data;

/// <summary>
/// Reader for the "binary version" of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html): files of
/// fixed-size records, each the label byte(s) then 3072 pixel bytes — 1024 red, 1024 green, 1024 blue, each plane
/// 32×32 row-major — which is already the N×C×H×W layout of <see cref="ImageSet"/>, so pixels are copied as they are.
/// The file length is checked against the record size before anything is allocated.
/// </summary>
public static class CifarBinary
{
    public const int Side = 32, Channels = 3, ImageSize = Channels * Side * Side;

    /// <summary>How one variant lays out its labels: <paramref name="LabelBytes"/> bytes per record, of which the one at
    /// <paramref name="LabelIndex"/> is the label used, in 0..<paramref name="NumClasses"/>-1.</summary>
    public sealed record Format(string Name, int LabelBytes, int LabelIndex, int NumClasses)
    {
        public int RecordSize => LabelBytes + ImageSize;
    }

    /// <summary>CIFAR-10: one label byte (0–9).</summary>
    public static readonly Format Cifar10 = new("CIFAR-10", 1, 0, 10);

    /// <summary>CIFAR-100: a coarse label byte (0–19) then a fine one (0–99); the fine (100-class) label is used.</summary>
    public static readonly Format Cifar100Fine = new("CIFAR-100 (fine labels)", 2, 1, 100);

    /// <summary>Reads the files in order into one set. With <paramref name="recordsPerFile"/>, each file must hold
    /// exactly that many records (the published files do; a shorter one is a partial download).</summary>
    public static ImageSet Read(string name, Format format, IReadOnlyList<string> paths, int? recordsPerFile = null)
    {
        // A missing file means "not fetched" (see DataCatalog), so look for all of them before judging any.
        foreach (var path in paths)
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        var counts = new int[paths.Count];
        for (int f = 0; f < paths.Count; f++) counts[f] = RecordCount(paths[f], format, recordsPerFile);
        long total = counts.Sum(c => (long)c);
        if (total * ImageSize > Array.MaxLength)
            throw new DataFormatException(string.Join(", ", paths), $"at most {Array.MaxLength / ImageSize} images in all", $"{total}");

        var pixels = new byte[total * ImageSize];
        var labels = new long[total];
        var record = new byte[format.RecordSize];
        long n = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            using var stream = new FileStream(paths[f], FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
            for (int i = 0; i < counts[f]; i++, n++)
            {
                try { stream.ReadExactly(record); }
                catch (EndOfStreamException)
                {
                    throw new DataFormatException(paths[f], $"{counts[f]} records", $"the file shrank while being read, at record {i}");
                }
                int label = record[format.LabelIndex];
                if (label >= format.NumClasses)
                    throw new DataFormatException(paths[f], $"{format.Name} labels in 0..{format.NumClasses - 1}", $"{label} at record {i}");
                labels[n] = label;
                record.AsSpan(format.LabelBytes).CopyTo(pixels.AsSpan((int)(n * ImageSize), ImageSize));
            }
        }
        return new ImageSet(name, pixels, labels, Channels, Side, Side, format.NumClasses);
    }

    private static int RecordCount(string path, Format format, int? expected)
    {
        long length = new FileInfo(path).Length;
        if (length == 0 || length % format.RecordSize != 0)
            throw new DataFormatException(path, $"a non-empty multiple of the {format.Name} record size {format.RecordSize} bytes " +
                                                $"({format.LabelBytes} label + {ImageSize} pixel bytes)",
                $"{length} bytes ({length / format.RecordSize} whole records and {length % format.RecordSize} bytes more: truncated or not {format.Name})");
        long count = length / format.RecordSize;
        if (expected is { } e && count != e)
            throw new DataFormatException(path, $"{e} records ({(long)e * format.RecordSize} bytes), as published", $"{count} records");
        return (int)count;
    }
}
