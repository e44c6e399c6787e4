using System.Text;
using Repro.Data;
using Repro.Tests.Interop;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>
/// OpenOOD's image lists (Data/OpenOodImageList.cs): every set of a fixture in OpenOOD's exact layout decoded byte for
/// byte as torchvision's own Resize and CenterCrop make it; the size and crop rules on hand-computed cases; and each kind
/// of bad list refused, naming the list and line.
/// </summary>
public class OpenOodImageListTests
{
    [Fact]
    public void Every_set_decodes_to_the_bytes_torchvision_makes_of_it()
    {
        using var dir = new TempDir();
        OpenOodFixture.Write(dir.Path, perSet: 8, OpenOodFixture.Pattern);
        var python = Python.With("torchvision", "PIL", "numpy");
        var script = Path.Combine(DataPaths.RepositoryRoot()!, "scripts", "openood", "preprocess_reference.py");
        foreach (var (set, list) in DataCatalog.OpenOodLists)
        {
            var ours = OpenOodImageList.Load(dir.Path, list, set, side: 32, numClasses: 10);
            var npy = dir.File(set + ".npy");
            Python.Run(python, script, dir.Path, list, npy);
            var (shape, theirs) = ReadUInt8Npy(npy);
            Assert.Equal([8L, 3, 32, 32], shape);
            Assert.Equal((8, 3, 32, 32), (ours.Count, ours.Channels, ours.Height, ours.Width));
            int differing = theirs.Zip(ours.Pixels).Count(p => p.First != p.Second);
            Assert.True(differing == 0, $"{set}: {differing} of {theirs.Length} bytes differ from torchvision's");
            Assert.All(ours.Labels, l => Assert.Equal(-1, l));
        }
    }

    [Fact]
    public void Resize_takes_the_shorter_side_to_32_and_the_crop_rounds_halves_to_even()
    {
        // (H, W) → torchvision's Resize(32): shorter side 32, longer ⌊32·long/short⌋.
        Assert.Equal((32, 45), OpenOodImageList.ResizedSize(211, 300, 32));   // 32·300/211 = 45.50 → 45
        Assert.Equal((45, 32), OpenOodImageList.ResizedSize(53, 37, 32));     // 32·53/37 = 45.84 → 45
        Assert.Equal((32, 38), OpenOodImageList.ResizedSize(37, 45, 32));     // 32·45/37 = 38.92 → 38
        Assert.Equal((32, 32), OpenOodImageList.ResizedSize(28, 28, 32));     // MNIST grows
        Assert.Equal((32, 33), OpenOodImageList.ResizedSize(32, 33, 32));     // already 32 on its shorter side: as it is

        // A 1 × 3 × 6 image cropped to 3 × 3: left = round(1.5) = 2 (Python rounds halves to even; half-up would give 1).
        var row = new byte[] { 10, 11, 12, 13, 14, 15 };
        var image = row.Concat(row.Select(v => (byte)(v + 10))).Concat(row.Select(v => (byte)(v + 20))).ToArray();
        Assert.Equal(new byte[] { 12, 13, 14, 22, 23, 24, 32, 33, 34 }, OpenOodImageList.CenterCrop(image, 1, 3, 6, 3));
        // 1 × 5 × 3 → 3 × 3: top = round(1.0) = 1.
        var tall = Enumerable.Range(0, 15).Select(i => (byte)i).ToArray();
        Assert.Equal(new byte[] { 3, 4, 5, 6, 7, 8, 9, 10, 11 }, OpenOodImageList.CenterCrop(tall, 1, 5, 3, 3));
        // 1 × 3 × 8 → left = round(2.5) = 2, not 3.
        var wide = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        Assert.Equal(new byte[] { 2, 3, 4, 10, 11, 12, 18, 19, 20 }, OpenOodImageList.CenterCrop(wide, 1, 3, 8, 3));
    }

    [Theory]
    [InlineData("mnist/a.png -1\n\nmnist/b.png -1\n", "an empty line 2")]
    [InlineData("mnist/a.png -1\nmnist/b.png\n", "line 2 ('mnist/b.png')")]
    [InlineData("mnist/a.png -1\nmnist/b.png {'label': 3}\n", "'{'label': 3}' on line 2")]
    [InlineData("mnist/a.png -1\nmnist/b.png one\n", "'one' on line 2")]
    [InlineData("/mnist/a.png -1\n", "OpenOOD refuses a leading '/'")]
    [InlineData("mnist/../../secret.png -1\n", "no '..' segment")]
    [InlineData("mnist/a.png -1\nmnist/b.png -1\nmnist/a.png -1\n", "mnist/a.png on lines 1 and 3")]
    [InlineData("mnist/a.png -1\nmnist/gone.png -1\nmnist/gone2.png -1\n", "line 2's mnist/gone.png missing (and 1 more of 3)")]
    [InlineData("mnist/a.png -1\nmnist/bad.png -1\n", "line 2's mnist/bad.png, which is not an image")]
    [InlineData("", "an empty file")]
    public void A_bad_list_is_refused_naming_the_list_and_line(string list, string expected)
    {
        using var dir = new TempDir();
        var images = Path.Combine(dir.Path, OpenOodImageList.ImagesFolder, "mnist");
        ImageFiles.WriteGrey(Path.Combine(images, "a.png"), OpenOodFixture.Pattern("x", 0), 28, 28);
        ImageFiles.WriteGrey(Path.Combine(images, "b.png"), OpenOodFixture.Pattern("x", 1), 28, 28);
        File.WriteAllText(Path.Combine(images, "bad.png"), "not a PNG");
        var listPath = Path.Combine(dir.Path, OpenOodImageList.ListsFolder, "cifar10", "test_mnist.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(listPath)!);
        File.WriteAllText(listPath, list);

        var e = Assert.Throws<DataFormatException>(() => OpenOodImageList.Load(dir.Path, "cifar10/test_mnist.txt", "openood-mnist", 32, 10));
        Assert.StartsWith(listPath + ": expected ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_catalog_reads_openood_sets_from_the_data_folder_and_says_what_is_missing()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<DataMissingException>(() => DataCatalog.Load("openood-tin", Split.Test, dir.Path));
        Assert.Contains(Path.Combine(dir.Path, DataCatalog.OpenOodFolder, OpenOodImageList.ListsFolder, "cifar10", "test_tin.txt"), missing.Message);
        Assert.Contains("no train split", Assert.Throws<ReproException>(() => DataCatalog.Load("openood-tin", Split.Train, dir.Path)).Message);

        OpenOodFixture.Write(Path.Combine(dir.Path, DataCatalog.OpenOodFolder), perSet: 3, OpenOodFixture.Pattern);
        var tin = DataCatalog.Load("openood-tin", Split.Test, dir.Path);
        Assert.Equal(("openood-tin", 3, 3, 32, 32), (tin.Name, tin.Count, tin.Channels, tin.Height, tin.Width));
        // Windows line ends and a label padded with spaces read as OpenOOD's int() reads them.
        var list = Path.Combine(dir.Path, DataCatalog.OpenOodFolder, OpenOodImageList.ListsFolder, "cifar10", "test_tin.txt");
        File.WriteAllText(list, string.Concat(File.ReadAllLines(list).Select(l => l.Replace(" -1", "  -1 ") + "\r\n")));
        Assert.Equal(tin.Pixels, DataCatalog.Load("openood-tin", Split.Test, dir.Path).Pixels);
    }

    /// <summary>A C-ordered uint8 .npy (format 1.0) as numpy.save writes it: its shape and bytes.</summary>
    private static (long[] Shape, byte[] Data) ReadUInt8Npy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("\x93NUMPY", Encoding.Latin1.GetString(bytes, 0, 6));
        int headerLength = bytes[8] | bytes[9] << 8;
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '|u1'", header);
        Assert.Contains("'fortran_order': False", header);
        var shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var shape = shapeText[..shapeText.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (shape, bytes[(10 + headerLength)..]);
    }
}
