using System.Text;
using Repro.Runs;
using Xunit;

namespace Repro.Tests.RunFiles;

public class NpyFileTests
{
    [Fact]
    public void A_float32_matrix_is_written_as_numpy_format_1_0_reads_it()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.npy");
        NpyFile.WriteFloat32(path, [1f, 2f, 3f, -0.5f, 0f, 1e-3f], rows: 2, columns: 3);
        var bytes = File.ReadAllBytes(path);

        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);   // the data starts on a 64-byte boundary
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.TrimEnd(' ', '\n'));
        Assert.EndsWith("\n", header);
        var data = bytes[(10 + headerLength)..];
        Assert.Equal(6 * 4, data.Length);
        Assert.Equal(-0.5f, BitConverter.ToSingle(data, 3 * 4));   // row 1, column 0: C order
        Assert.Equal(1e-3f, BitConverter.ToSingle(data, 5 * 4));
    }

    [Fact]
    public void Uint8_images_keep_their_shape_and_bytes()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "images.npy");
        NpyFile.WriteUInt8(path, [0, 1, 2, 253, 254, 255, 7, 8], 2, 1, 2, 2);
        var bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 2, 2), }", Encoding.ASCII.GetString(bytes, 10, headerLength).TrimEnd(' ', '\n'));
        Assert.Equal(new byte[] { 0, 1, 2, 253, 254, 255, 7, 8 }, bytes[(10 + headerLength)..]);
    }

    [Fact]
    public void Int64_labels_keep_their_sign()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "labels.npy");
        NpyFile.WriteInt64(path, [-1, 0, 300]);
        var bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", Encoding.ASCII.GetString(bytes, 10, headerLength).TrimEnd(' ', '\n'));
        var data = bytes[(10 + headerLength)..];
        Assert.Equal((-1L, 0L, 300L), (BitConverter.ToInt64(data, 0), BitConverter.ToInt64(data, 8), BitConverter.ToInt64(data, 16)));
    }

    [Fact]
    public void A_one_dimensional_shape_is_written_as_a_python_one_tuple()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "v.npy");
        NpyFile.WriteUInt8(path, [1, 2, 3], 3);
        Assert.Contains("'shape': (3,), }", File.ReadAllText(path));
    }

    [Fact]
    public void A_shape_that_does_not_fit_the_values_is_refused() =>
        Assert.Contains("2 × 2", Assert.Throws<ArgumentException>(() => NpyFile.WriteFloat32("unused.npy", [1f, 2f, 3f], 2, 2)).Message);
}
