using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>The CIFAR-10/CIFAR-100 binary loaders on small files written in the exact format.</summary>
public class CifarBinaryTests
{
    private const int Record10 = 1 + 3072, Record100 = 2 + 3072;

    private static string Batches(TempDir dir) => Path.Combine(dir.Path, DataCatalog.Cifar10Folder);

    /// <summary>data_batch_1..5 with two records each (labels 0..9 in order) and a three-record test_batch.</summary>
    private static void WriteCifar10(TempDir dir) => WriteCifar10(dir.Path);

    private static void WriteCifar10(string root)
    {
        var batches = Path.Combine(root, DataCatalog.Cifar10Folder);
        for (int b = 1; b <= 5; b++)
            CifarBinaryWriter.Write(Path.Combine(batches, $"data_batch_{b}.bin"), CifarBinary.Cifar10,
                [[(byte)(2 * b - 2)], [(byte)(2 * b - 1)]], firstImage: 2 * (b - 1));
        CifarBinaryWriter.WriteCifar10(Path.Combine(batches, "test_batch.bin"), 9, 0, 4);
    }

    private static void AssertPattern(ImageSet set, int firstImage = 0)
    {
        for (int n = 0; n < set.Count; n++)
        for (int c = 0; c < 3; c++)
        for (int h = 0; h < 32; h++)
        for (int w = 0; w < 32; w++)
            Assert.Equal(CifarBinaryWriter.Pixel(firstImage + n, c, h, w), set.Pixels[((n * 3 + c) * 32 + h) * 32 + w]);
    }

    [Fact]
    public void Good_cifar10_files_load_in_batch_order()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        var train = DataCatalog.LoadCifar10(dir.Path, Split.Train, checkCounts: false);
        Assert.Equal(10, train.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), train.Labels);
        Assert.Equal((3, 32, 32, 10), (train.Channels, train.Height, train.Width, train.NumClasses));
        AssertPattern(train);

        var test = DataCatalog.LoadCifar10(dir.Path, Split.Test, checkCounts: false);
        Assert.Equal([9L, 0, 4], test.Labels);
        AssertPattern(test);
        Assert.Equal("cifar10", test.Name);
    }

    [Fact]
    public void Good_cifar100_files_use_the_fine_labels()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, DataCatalog.Cifar100Folder);
        CifarBinaryWriter.Write(Path.Combine(folder, "train.bin"), CifarBinary.Cifar100Fine, [[19, 99], [0, 42], [7, 0]]);
        CifarBinaryWriter.Write(Path.Combine(folder, "test.bin"), CifarBinary.Cifar100Fine, [[3, 17]]);
        var train = DataCatalog.LoadCifar100(dir.Path, Split.Train, checkCounts: false);
        Assert.Equal([99L, 42, 0], train.Labels);
        Assert.Equal(100, train.NumClasses);
        AssertPattern(train);
        Assert.Equal([17L], DataCatalog.LoadCifar100(dir.Path, Split.Test, checkCounts: false).Labels);
    }

    [Fact]
    public void Truncated_file_names_file_record_size_and_length()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        var path = Path.Combine(Batches(dir), "data_batch_3.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);
        var e = Assert.Throws<DataFormatException>(() => DataCatalog.LoadCifar10(dir.Path, Split.Train, checkCounts: false));
        Assert.Contains("data_batch_3.bin", e.Message);
        Assert.Contains($"multiple of the CIFAR-10 record size {Record10} bytes", e.Message);
        Assert.Contains($"found {2 * Record10 - 100} bytes", e.Message);
    }

    [Fact]
    public void Cifar10_file_read_as_cifar100_is_caught_by_its_record_size()
    {
        using var dir = new TempDir();
        CifarBinaryWriter.WriteCifar10(Path.Combine(dir.Path, DataCatalog.Cifar100Folder, "test.bin"), 1, 2);
        var e = Assert.Throws<DataFormatException>(() => DataCatalog.LoadCifar100(dir.Path, Split.Test, checkCounts: false));
        Assert.Contains("test.bin", e.Message);
        Assert.Contains($"record size {Record100} bytes", e.Message);
    }

    [Fact]
    public void Empty_file_is_reported()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Batches(dir));
        File.WriteAllBytes(Path.Combine(Batches(dir), "test_batch.bin"), []);
        var e = Assert.Throws<DataFormatException>(() => DataCatalog.LoadCifar10(dir.Path, Split.Test, checkCounts: false));
        Assert.Contains("test_batch.bin: expected a non-empty multiple", e.Message);
    }

    [Theory]
    [InlineData(false, 10, "CIFAR-10 labels in 0..9", "10 at record 1")]
    [InlineData(true, 100, "labels in 0..99", "100 at record 1")]
    public void Label_out_of_range_names_file_value_and_record(bool cifar100, byte bad, string expected, string found)
    {
        using var dir = new TempDir();
        string path;
        if (cifar100)
        {
            path = Path.Combine(dir.Path, DataCatalog.Cifar100Folder, "test.bin");
            CifarBinaryWriter.Write(path, CifarBinary.Cifar100Fine, [[1, 5], [1, bad], [1, 6]]);
        }
        else
        {
            path = Path.Combine(Batches(dir), "test_batch.bin");
            CifarBinaryWriter.WriteCifar10(path, 5, bad, 6);
        }
        var e = Assert.Throws<DataFormatException>(() => cifar100
            ? DataCatalog.LoadCifar100(dir.Path, Split.Test, checkCounts: false)
            : DataCatalog.LoadCifar10(dir.Path, Split.Test, checkCounts: false));
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(found, e.Message);
    }

    [Fact]
    public void Published_files_must_hold_their_published_record_count()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        var e = Assert.Throws<DataFormatException>(() => DataCatalog.LoadCifar10(dir.Path, Split.Test));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("expected 10000 records", e.Message);
        Assert.Contains("found 3 records", e.Message);
    }

    [Fact]
    public void Missing_data_names_the_cifar_fetch_command()
    {
        using var dir = new TempDir();
        var cifar10 = Path.Combine(dir.Path, "cifar10");   // the layout DataCatalog.Load reads: <data>/cifar10/cifar-10-batches-bin
        WriteCifar10(cifar10);
        File.Delete(Path.Combine(cifar10, DataCatalog.Cifar10Folder, "data_batch_4.bin"));
        foreach (var (name, split, file) in new[] { ("cifar10", Split.Train, "data_batch_4.bin"), ("cifar100", Split.Test, "test.bin"),
                                                   ("svhn", Split.Test, "test_32x32.mat") })
        {
            var e = Assert.Throws<DataMissingException>(() => DataCatalog.Load(name, split, dir.Path));
            Assert.Contains(Repro.Cli.CommandHints.FetchCifar, Repro.Cli.CommandHints.For(e));
            Assert.Contains(file, e.Message);
        }
    }
}
