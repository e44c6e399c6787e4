using System.Buffers.Binary;
using System.IO.Compression;

namespace Repro.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header
/// of magic 0x0000 | type (0x08 = unsigned byte) | number of dimensions, then one int32 per dimension, then data.
/// Files may be gzip-compressed (detected by content, not by name).
/// </summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803;   // ubyte, 3 dimensions: N × rows × cols
    public const int LabelsMagic = 0x00000801;   // ubyte, 1 dimension: N

    public sealed record Images(byte[] Pixels, int Count, int Rows, int Cols);

    public static Images ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var dims = ReadHeader(path, bytes, ImagesMagic, "images");
        return new Images(Body(path, bytes, dims), dims[0], dims[1], dims[2]);
    }

    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        var dims = ReadHeader(path, bytes, LabelsMagic, "labels");
        return Body(path, bytes, dims);
    }

    /// <summary>Inverse of the readers, used to write test fixtures and decoded copies.</summary>
    public static byte[] Encode(int magic, int[] dims, ReadOnlySpan<byte> data)
    {
        var buffer = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(buffer.AsSpan(4 + 4 * dims.Length));
        return buffer;
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, "a complete gzip stream", $"a damaged or truncated one ({e.Message})");
        }
    }

    private static int[] ReadHeader(string path, byte[] bytes, int expectedMagic, string what)
    {
        if (bytes.Length < 4)
            throw new DataFormatException(path, "an IDX header (at least 4 bytes)", $"{bytes.Length} bytes");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new DataFormatException(path, $"IDX {what} magic number 0x{expectedMagic:X8}", $"0x{magic:X8}");
        int rank = expectedMagic & 0xff;
        if (bytes.Length < 4 + 4 * rank)
            throw new DataFormatException(path, $"a {4 + 4 * rank}-byte IDX header", $"{bytes.Length} bytes");
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new DataFormatException(path, $"a non-negative size for dimension {i}", dims[i].ToString());
        }
        return dims;
    }

    private static byte[] Body(string path, byte[] bytes, int[] dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        long available = bytes.Length - 4 - 4 * dims.Length;
        if (available != expected)
            throw new DataFormatException(path, $"{expected} data bytes for dimensions {string.Join("×", dims)}",
                $"{available} ({(available < expected ? "truncated" : "trailing bytes")})");
        return bytes[(4 + 4 * dims.Length)..];
    }
}
