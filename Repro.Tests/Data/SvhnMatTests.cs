using System.Buffers.Binary;
using System.Diagnostics;
using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>The SVHN MAT-file loader on small files written in the exact format (plain and compressed).</summary>
public class SvhnMatTests
{
    private const int N = 3, Plane = 32 * 32, ImageSize = 3 * Plane;

    /// <summary>X in MATLAB's column-major order: X(h, w, c, n) at h + 32·w + 1024·c + 3072·n.</summary>
    private static byte[] ColumnMajorX(int n = N)
    {
        var x = new byte[n * ImageSize];
        for (int i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
        for (int h = 0; h < 32; h++)
        for (int w = 0; w < 32; w++)
            x[h + 32 * w + Plane * c + ImageSize * i] = CifarBinaryWriter.Pixel(i, c, h, w);
        return x;
    }

    private static readonly double[] GoodLabels = [10, 1, 9];   // 10 is the digit 0

    private static MatFileWriter Good(bool compress, bool yAsUInt8 = false) => new MatFileWriter()
        .UInt8("X", [32, 32, 3, N], ColumnMajorX(), compress)
        .Double("y", [N, 1], GoodLabels, compress, storeAsUInt8: yAsUInt8);

    private static ImageSet Load(TempDir dir, byte[] file)
    {
        File.WriteAllBytes(dir.File("test_32x32.mat"), file);
        return SvhnMat.Read(dir.File("test_32x32.mat"));
    }

    private static DataFormatException Bad(byte[] file, params string[] expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => Load(dir, file));
        Assert.Contains("test_32x32.mat", e.Message);
        foreach (var text in expected) Assert.Contains(text, e.Message);
        return e;
    }

    private static void AssertDecoded(ImageSet set)
    {
        Assert.Equal(N, set.Count);
        Assert.Equal([0L, 1, 9], set.Labels);
        Assert.Equal((3, 32, 32, 10), (set.Channels, set.Height, set.Width, set.NumClasses));
        for (int n = 0; n < N; n++)
        for (int c = 0; c < 3; c++)
        for (int h = 0; h < 32; h++)
        for (int w = 0; w < 32; w++)
            Assert.Equal(CifarBinaryWriter.Pixel(n, c, h, w), set.Pixels[((n * 3 + c) * 32 + h) * 32 + w]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]    // as MATLAB writes SVHN: compressed, y a double array stored as miUINT8
    [InlineData(false, true)]
    public void Good_file_reorders_pixels_to_nchw_and_maps_label_10_to_0(bool compress, bool yAsUInt8)
    {
        using var dir = new TempDir();
        AssertDecoded(Load(dir, Good(compress, yAsUInt8).ToBytes()));
    }

    [Fact]
    public void Plain_and_compressed_files_decode_alike_and_load_through_the_catalog()
    {
        using var plain = new TempDir();
        using var compressed = new TempDir();
        Good(compress: false).Write(Path.Combine(plain.Path, "svhn", "test_32x32.mat"));
        Good(compress: true).Write(Path.Combine(compressed.Path, "svhn", "test_32x32.mat"));
        var set = DataCatalog.Load("svhn", Split.Test, plain.Path);
        Assert.Equal("svhn", set.Name);
        Assert.Equal(set.ContentHash(), DataCatalog.Load("svhn", Split.Test, compressed.Path).ContentHash());
        Assert.Contains("only as an OoD test set", Assert.Throws<ReproException>(() => DataCatalog.Load("svhn", Split.Train, plain.Path)).Message);
    }

    [Fact]
    public void Other_variables_and_a_double_X_are_read()
    {
        // Extra variables are skipped; X as double values (not uint8) is converted; one image is 32×32×3 in MATLAB.
        var x = ColumnMajorX(1).Select(b => (double)b).ToArray();
        var file = new MatFileWriter().Double("meta", [1, 2], [1.5, 2.5]).Double("X", [32, 32, 3], x, compress: true)
            .Double("y", [1, 1], [4]).ToBytes();
        using var dir = new TempDir();
        var set = Load(dir, file);
        Assert.Equal([4L], set.Labels);
        Assert.Equal(CifarBinaryWriter.Pixel(0, 2, 5, 7), set.Pixels[(2 * 32 + 5) * 32 + 7]);
    }

    [Fact]
    public void Zero_padding_after_the_last_compressed_element_is_accepted()
    {
        using var dir = new TempDir();
        AssertDecoded(Load(dir, [.. Good(compress: true).ToBytes(), 0, 0, 0, 0]));
    }

    [Theory]
    [InlineData("MATLAB 4.0 MAT-file", 0x0100, "IM", "header starting \"MATLAB 5.0 MAT-file\"")]
    [InlineData("MATLAB 5.0 MAT-file", 0x0100, "MI", "big-endian ones are not supported")]
    [InlineData("MATLAB 5.0 MAT-file", 0x0200, "IM", "version 0x0100")]
    public void Bad_header_is_reported(string text, int version, string endian, string expected)
    {
        var file = new MatFileWriter(text, (ushort)version, endian).UInt8("X", [32, 32, 3, 1], new byte[ImageSize]).ToBytes();
        Bad(file, expected);
    }

    [Fact]
    public void File_shorter_than_the_header_is_reported() => Bad(new byte[40], "128-byte MAT-file header", "40 bytes");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_element_names_its_size_and_what_is_left(bool compress)
    {
        var file = Good(compress).ToBytes();
        Bad(file[..(file.Length / 2)], "expected a data element of", "(truncated)");
    }

    [Fact]
    public void Missing_variable_is_reported()
    {
        var file = new MatFileWriter().Double("y", [N, 1], GoodLabels).ToBytes();
        Bad(file, "a variable 'X' (the images)", "only 'y'");
    }

    [Theory]
    [InlineData(new[] { 32, 32, 1, 3 }, "X of size 32×32×3×N", "found 32×32×1×3")]
    [InlineData(new[] { 3, 32, 32, 1 }, "X of size 32×32×3×N", "found 3×32×32×1")]
    [InlineData(new[] { 96, 32, 3 }, "X of size 32×32×3×N", "found 96×32×3")]
    public void Wrong_image_dimensions_are_reported(int[] dims, string expected, string found)
    {
        var file = new MatFileWriter().UInt8("X", dims, new byte[dims.Aggregate(1, (a, d) => a * d)])
            .Double("y", [N, 1], GoodLabels).ToBytes();
        Bad(file, expected, found);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        var file = new MatFileWriter().UInt8("X", [32, 32, 3, N], ColumnMajorX()).Double("y", [2, 1], [1, 2]).ToBytes();
        Bad(file, "y of size 3×1 (one label per image in X)", "found 2×1");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(11.0)]
    [InlineData(2.5)]
    public void Label_outside_1_to_10_names_value_and_index(double bad)
    {
        var file = new MatFileWriter().UInt8("X", [32, 32, 3, N], ColumnMajorX()).Double("y", [N, 1], [1, bad, 2], compress: true).ToBytes();
        Bad(file, "labels in 1..10", $"found {bad} at index 1");
    }

    [Fact]
    public void Corrupt_zlib_stream_is_reported()
    {
        // A valid zlib header, then a deflate block of the reserved type 3.
        var file = new MatFileWriter().Raw(MatFileWriter.CompressedRaw([0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF])).ToBytes();
        Bad(file, "a valid zlib stream in the compressed element at offset 128");
    }

    [Fact]
    public void Lying_dimensions_give_an_error_not_an_allocation()
    {
        var clock = Stopwatch.StartNew();
        // 32×32×3×1,000,000,000 uint8 declared, one image of data present.
        var file = new MatFileWriter().UInt8("X", [32, 32, 3, 1], new byte[ImageSize]).ToBytes();
        int dimsAt = MatFile.HeaderSize + 8 + 16 + 8 + 12;   // header, miMATRIX tag, array flags, dims tag, then dims[3]
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(dimsAt)));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(dimsAt), 1_000_000_000);
        Bad(file, "3072000000000 values of 1 byte(s) for 'X' of size 32×32×3×1000000000", "found 3072 bytes");

        // The same lie inside a compressed element, and a compressed element declaring ~4 GiB inside.
        var matrix = MatFileWriter.Matrix(MatFile.MxUInt8Class, [32, 32, 3, int.MaxValue], "X", MatFile.MiUInt8, new byte[ImageSize]);
        Bad(new MatFileWriter().Raw(MatFileWriter.Compressed(matrix)).ToBytes(), "values of 1 byte(s) for 'X'", "found 3072 bytes");
        var hugeTag = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(hugeTag, MatFile.MiMatrix);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeTag.AsSpan(4), 0xFFFF_FFF0);
        Bad(new MatFileWriter().Raw(MatFileWriter.Compressed(hugeTag)).ToBytes(), "an element of at most", "4294967280 bytes declared");
        var bigTag = hugeTag.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bigTag.AsSpan(4), 1_500_000_000);
        Bad(new MatFileWriter().Raw(MatFileWriter.Compressed(bigTag)).ToBytes(), "1500000000 bytes of data element", "found 8 after inflating (truncated)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Element_inflating_past_its_declared_size_stops_there()
    {
        // The inner tag declares an empty matrix; 8 MB of zeros follow in the stream and are never inflated.
        var element = new byte[8 + 8_000_000];
        BinaryPrimitives.WriteUInt32LittleEndian(element, MatFile.MiMatrix);
        var file = new MatFileWriter().Raw(MatFileWriter.Compressed(element)).ToBytes();
        Bad(file, "a variable 'X'", "found no variables");
    }
}
