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
        var (dims, data) = Read(path, ImagesMagic, "images");
        return new Images(data, dims[0], dims[1], dims[2]);
    }

    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, "labels").Data;

    /// <summary>Inverse of the readers, used to write test fixtures and decoded copies.</summary>
    public static byte[] Encode(int magic, int[] dims, ReadOnlySpan<byte> data)
    {
        var buffer = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(buffer.AsSpan(4 + 4 * dims.Length));
        return buffer;
    }

    /// <summary>The header and data of the file, or of its inflated content when it starts with the gzip magic.
    /// The data are read only up to the size the header declares (plus one byte, to tell trailing bytes), so neither
    /// a lying header nor a gzip stream far longer than its header says makes this allocate more than is there.</summary>
    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        using var file = File.OpenRead(path);
        var start = new byte[2];
        bool gzip = file.ReadAtLeast(start, 2, throwOnEndOfStream: false) == 2 && start[0] == 0x1f && start[1] == 0x8b;
        file.Position = 0;
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            var dims = ReadHeader(path, stream, expectedMagic, what);
            return (dims, ReadBody(path, stream, dims));
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, "a complete gzip stream", $"a damaged or truncated one ({e.Message})");
        }
    }

    private static int[] ReadHeader(string path, Stream stream, int expectedMagic, string what)
    {
        var word = new byte[4];
        int got = stream.ReadAtLeast(word, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException(path, "an IDX header (at least 4 bytes)", $"{got} bytes");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
            throw new DataFormatException(path, $"IDX {what} magic number 0x{expectedMagic:X8}", $"0x{magic:X8}");
        int rank = expectedMagic & 0xff;
        var sizes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw new DataFormatException(path, $"a {4 + 4 * rank}-byte IDX header", $"{4 + got} bytes");
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
            if (dims[i] < 0) throw new DataFormatException(path, $"a non-negative size for dimension {i}", dims[i].ToString());
        }
        return dims;
    }

    private static byte[] ReadBody(string path, Stream stream, int[] dims)
    {
        // Stop multiplying past the array limit: three int32 dimensions can overflow even a long (2^30·2^30·16 is 0).
        long expected = 1;
        foreach (var d in dims)
            if ((expected *= d) > Array.MaxLength)
                throw new DataFormatException(path, $"at most {Array.MaxLength} data bytes",
                    $"dimensions {string.Join("×", dims)} ({dims.Aggregate(1.0, (a, x) => a * x):0} bytes)");

        // Grow with the bytes actually there, not the declared size, which may be a lie.
        using var data = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (data.Length <= expected)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, expected + 1 - data.Length));
            if (n == 0) break;
            data.Write(chunk, 0, n);
        }
        if (data.Length != expected)
            throw new DataFormatException(path, $"{expected} data bytes for dimensions {string.Join("×", dims)}",
                data.Length < expected ? $"{data.Length} (truncated)" : $"more than {expected} (trailing bytes)");
        return data.ToArray();
    }
}
