using System.IO.Compression;
using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>The Fashion-MNIST/MNIST IDX loaders on small files written in the exact format.</summary>
public class IdxLoaderTests
{
    private const int N = 5, Side = 28;

    private static byte[] Images(int n = N) =>
        IdxFile.Encode(IdxFile.ImagesMagic, [n, Side, Side], Enumerable.Range(0, n * Side * Side).Select(i => (byte)(i % 251)).ToArray());

    private static byte[] Labels(params byte[] labels) => IdxFile.Encode(IdxFile.LabelsMagic, [labels.Length], labels);

    private static void WriteGz(string path, byte[] content)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(content);
    }

    private static ImageSet Load(TempDir dir) =>
        DataCatalog.LoadIdxPair(DataCatalog.FashionMnist, dir.Path, "t10k");

    [Fact]
    public void Good_files_load_gzipped_or_raw()
    {
        using var gzDir = new TempDir();
        WriteGz(gzDir.File("t10k-images-idx3-ubyte.gz"), Images());
        WriteGz(gzDir.File("t10k-labels-idx1-ubyte.gz"), Labels(0, 1, 2, 3, 9));
        var set = Load(gzDir);
        Assert.Equal(N, set.Count);
        Assert.Equal([0L, 1, 2, 3, 9], set.Labels);
        Assert.Equal((byte)(Side * Side % 251), set.Pixels[Side * Side]);

        using var rawDir = new TempDir();
        File.WriteAllBytes(rawDir.File("t10k-images-idx3-ubyte"), Images());
        File.WriteAllBytes(rawDir.File("t10k-labels-idx1-ubyte"), Labels(0, 1, 2, 3, 9));
        Assert.Equal(set.ContentHash(), Load(rawDir).ContentHash());
    }

    [Fact]
    public void Truncated_file_names_file_and_sizes()
    {
        using var dir = new TempDir();
        var images = Images();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), images[..^100]);
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Labels(0, 1, 2, 3, 4));
        var e = Assert.Throws<DataFormatException>(() => Load(dir));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains($"expected {N * Side * Side} data bytes", e.Message);
        Assert.Contains($"found {N * Side * Side - 100} (truncated)", e.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        using var dir = new TempDir();
        WriteGz(dir.File("t10k-images-idx3-ubyte.gz"), Images());
        var gz = File.ReadAllBytes(dir.File("t10k-images-idx3-ubyte.gz"));
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), gz[..(gz.Length / 2)]);
        WriteGz(dir.File("t10k-labels-idx1-ubyte.gz"), Labels(0, 1, 2, 3, 4));
        var e = Assert.ThrowsAny<ReproException>(() => Load(dir));
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void Wrong_magic_number_names_expected_and_found()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), Labels(1, 2, 3));   // a labels file where images belong
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Labels(0, 1, 2));
        var e = Assert.Throws<DataFormatException>(() => Load(dir));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("magic number 0x00000803", e.Message);
        Assert.Contains("found 0x00000801", e.Message);
    }

    [Fact]
    public void Label_out_of_range_names_value_and_index()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), Images());
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Labels(0, 1, 12, 3, 4));
        var e = Assert.Throws<DataFormatException>(() => Load(dir));
        Assert.Contains("labels in 0..9", e.Message);
        Assert.Contains("12 at index 2", e.Message);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), Images());
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Labels(0, 1, 2));
        var e = Assert.Throws<DataFormatException>(() => Load(dir));
        Assert.Contains("expected 5 labels", e.Message);
    }

    [Fact]
    public void Wrong_image_size_is_reported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), IdxFile.Encode(IdxFile.ImagesMagic, [1, 32, 32], new byte[32 * 32]));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), Labels(0));
        var e = Assert.Throws<DataFormatException>(() => Load(dir));
        Assert.Contains("expected 28×28 images, found 32×32", e.Message);
    }

    [Fact]
    public void Missing_data_names_the_fetch_command()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataMissingException>(() => DataCatalog.Load("fashion-mnist", Split.Train, dir.Path));
        Assert.Equal((DataCatalog.FashionMnist, Split.Train), (e.Set, e.Split));
        Assert.Contains(Repro.Cli.CommandHints.Fetch + "`", Repro.Cli.CommandHints.For(e));
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }
}
