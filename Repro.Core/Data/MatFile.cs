using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Repro.Data;

/// <summary>
/// Reader for the numeric arrays of a MATLAB Level 5 MAT-file (MathWorks, "MAT-File Format", version 5 and 7
/// files): a 128-byte header, then data elements, each an 8-byte tag (uint32 type, uint32 byte count) and its data
/// padded to 8 bytes — or the 8-byte "small data element" form (byte count in the upper 16 bits of the first word,
/// data in the second word). A variable is a miMATRIX element holding array flags, dimensions, name and real part;
/// MATLAB 7 wraps each one in a miCOMPRESSED (zlib) element. Only little-endian files are read.
/// Every byte count is checked against the bytes actually there before it is used, and decompression stops at
/// the size the compressed element declares, so a lying header gives an error, never an out-of-memory.
/// </summary>
public static class MatFile
{
    public const int HeaderSize = 128;
    public const string HeaderText = "MATLAB 5.0 MAT-file";

    // Data types (tag type field).
    public const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7,
        MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    // Array classes (low byte of the first array-flags word) that hold plain numbers.
    public const int MxDoubleClass = 6, MxSingleClass = 7, MxInt8Class = 8, MxUInt8Class = 9, MxInt16Class = 10,
        MxUInt16Class = 11, MxInt32Class = 12, MxUInt32Class = 13, MxInt64Class = 14, MxUInt64Class = 15;

    private const int ComplexFlag = 0x0800;

    /// <summary>Largest element this reader inflates: a .NET array's limit (~2 GiB), far above the 80 MB of SVHN's test
    /// images; anything bigger is refused before decompressing rather than exhausting memory.</summary>
    public static readonly long MaxElementBytes = Array.MaxLength;

    /// <summary>A variable: its name, array class, dimensions, and real part as stored (type + raw little-endian bytes).
    /// MATLAB may store values in a smaller type than the class (a double array as miUINT8); <see cref="Value"/>
    /// converts. <see cref="Data"/> is empty for classes other than the numeric ones.</summary>
    public sealed record Variable(string Name, int ArrayClass, bool IsComplex, int[] Dims, int StoredType, ReadOnlyMemory<byte> Data)
    {
        public bool IsNumeric => ArrayClass is >= MxDoubleClass and <= MxUInt64Class;
        public long Count => Data.Length / SizeOf(StoredType);
        public string Shape => string.Join("×", Dims);

        /// <summary>Element <paramref name="i"/> of the real part (column-major order), as a double.</summary>
        public double Value(long i)
        {
            var s = Data.Span;
            int size = SizeOf(StoredType);
            var at = s.Slice(checked((int)(i * size)), size);
            return StoredType switch
            {
                MiInt8 => (sbyte)at[0],
                MiUInt8 => at[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(at),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(at),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(at),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(at),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(at),
                MiUInt64 => BinaryPrimitives.ReadUInt64LittleEndian(at),
                _ => throw new InvalidOperationException($"type {StoredType} is not numeric"),
            };
        }
    }

    /// <summary>The variables of the file, by name.</summary>
    public static IReadOnlyDictionary<string, Variable> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        var bytes = File.ReadAllBytes(path);
        CheckHeader(path, bytes);
        var variables = new Dictionary<string, Variable>();
        long offset = HeaderSize;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 8 && bytes.AsSpan((int)offset).IndexOfAnyExcept((byte)0) < 0) break;   // end padding
            var tag = ReadTag(path, bytes, offset, "the file", topLevel: true);
            Variable? variable = tag.Type switch
            {
                MiMatrix => ReadMatrix(path, bytes.AsMemory((int)tag.DataOffset, (int)tag.Count), $"variable at offset {offset}"),
                MiCompressed => ReadCompressed(path, bytes, tag, offset),
                _ => null,   // other top-level elements carry no variable; skip them
            };
            if (variable is { Name.Length: > 0 }) variables[variable.Name] = variable;   // an empty miMATRIX has no name
            offset = tag.Next;
        }
        return variables;
    }

    public static int SizeOf(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => 0,
    };

    private static void CheckHeader(string path, byte[] bytes)
    {
        if (bytes.Length < HeaderSize)
            throw new DataFormatException(path, $"a {HeaderSize}-byte MAT-file header", $"a file of {bytes.Length} bytes");
        var text = Encoding.ASCII.GetString(bytes, 0, HeaderText.Length);
        if (text != HeaderText)
            throw new DataFormatException(path, $"a MAT-file header starting \"{HeaderText}\"", $"\"{Printable(bytes.AsSpan(0, HeaderText.Length))}\"");
        var endian = Encoding.ASCII.GetString(bytes, 126, 2);
        if (endian != "IM")
            throw new DataFormatException(path, "endian indicator \"IM\" (a little-endian MAT-file; big-endian ones are not supported)",
                $"\"{Printable(bytes.AsSpan(126, 2))}\"");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(124));
        if (version != 0x0100)
            throw new DataFormatException(path, "MAT-file version 0x0100 (a Level 5 / v7 MAT-file; v7.3 files are HDF5)", $"0x{version:X4}");
    }

    private readonly record struct Tag(int Type, long Count, long DataOffset, long Next);

    /// <summary>The tag at <paramref name="offset"/>, checked to fit in <paramref name="bytes"/>. Top-level compressed
    /// elements are not padded; everything else is padded to 8 bytes (the padding may be cut off at the very end).</summary>
    private static Tag ReadTag(string path, ReadOnlySpan<byte> bytes, long offset, string where, bool topLevel = false)
    {
        long left = bytes.Length - offset;
        if (left < 8)
            throw new DataFormatException(path, $"an 8-byte data element tag at offset {offset} of {where}", $"{left} bytes (truncated)");
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(int)offset..]);
        if (first >> 16 != 0)
        {
            // Small data element: type and byte count (≤ 4) packed in one word, data in the next.
            int smallCount = (int)(first >> 16);
            if (smallCount > 4)
                throw new DataFormatException(path, $"a small data element of at most 4 bytes at offset {offset} of {where}", $"{smallCount} bytes");
            return new Tag((int)(first & 0xffff), smallCount, offset + 4, offset + 8);
        }
        long count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(int)(offset + 4)..]);
        if (count > left - 8)
            throw new DataFormatException(path, $"a data element of {count} bytes after its tag at offset {offset} of {where}",
                $"only {left - 8} bytes left (truncated)");
        long end = offset + 8 + count;
        long next = (int)first == MiCompressed && topLevel ? end : Math.Min(bytes.Length, (end + 7) & ~7L);
        return new Tag((int)first, count, offset + 8, next);
    }

    /// <summary>Inflates one miCOMPRESSED element (one whole data element, usually a miMATRIX), never past the size
    /// its inner tag declares, nor past <see cref="MaxElementBytes"/>.</summary>
    private static Variable? ReadCompressed(string path, byte[] bytes, Tag tag, long offset)
    {
        var where = $"the compressed element at offset {offset}";
        try
        {
            var compressed = new MemoryStream(bytes, (int)tag.DataOffset, (int)tag.Count, writable: false);
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            var head = new byte[8];
            int got = zlib.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got < 8) throw new DataFormatException(path, $"an 8-byte data element tag inside {where}", $"{got} bytes after inflating");
            uint first = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (first >> 16 != 0) return null;   // a small element holds no variable
            int type = (int)first;
            long declared = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
            if (declared > MaxElementBytes - 8)
                throw new DataFormatException(path, $"an element of at most {MaxElementBytes - 8} bytes inside {where}", $"{declared} bytes declared");
            if (type != MiMatrix) return null;

            // Grow with the data actually inflated (not the declared size), and stop one byte past the declared size.
            using var inflated = new MemoryStream();
            inflated.Write(head);
            var chunk = new byte[1 << 16];
            long limit = 8 + declared;
            while (inflated.Length <= limit)
            {
                int n = zlib.Read(chunk, 0, (int)Math.Min(chunk.Length, limit + 1 - inflated.Length));
                if (n == 0) break;
                inflated.Write(chunk, 0, n);
            }
            if (inflated.Length < limit)
                throw new DataFormatException(path, $"{declared} bytes of data element inside {where}", $"{inflated.Length - 8} after inflating (truncated)");
            // Anything past the declared element (alignment padding, trailing bytes) is ignored.
            return ReadMatrix(path, inflated.GetBuffer().AsMemory(8, (int)declared), $"variable in {where}");
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"a valid zlib stream in {where}", $"a damaged or truncated one ({e.Message})");
        }
    }

    /// <summary>The sub-elements of a miMATRIX: array flags, dimensions, name, then (for numeric classes) the real part.</summary>
    private static Variable ReadMatrix(string path, ReadOnlyMemory<byte> matrix, string where)
    {
        var span = matrix.Span;
        if (matrix.Length == 0)   // an empty miMATRIX is allowed by the format: an empty array with no name
            return new Variable("", 0, false, [], MiUInt8, ReadOnlyMemory<byte>.Empty);

        var flagsTag = ReadTag(path, span, 0, where);
        if (flagsTag.Type != MiUInt32 || flagsTag.Count != 8)
            throw new DataFormatException(path, $"array flags (miUINT32, 8 bytes) first in the {where}", $"type {flagsTag.Type}, {flagsTag.Count} bytes");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)flagsTag.DataOffset..]);
        int arrayClass = (int)(flags & 0xff);
        bool complex = (flags & ComplexFlag) != 0;

        var dimsTag = ReadTag(path, span, flagsTag.Next, where);
        if (dimsTag.Type != MiInt32 || dimsTag.Count < 8 || dimsTag.Count % 4 != 0)
            throw new DataFormatException(path, $"dimensions (miINT32, at least 2 values) in the {where}", $"type {dimsTag.Type}, {dimsTag.Count} bytes");
        var dims = new int[dimsTag.Count / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(int)(dimsTag.DataOffset + 4 * i)..]);
            if (dims[i] < 0) throw new DataFormatException(path, $"non-negative dimensions in the {where}", string.Join("×", dims[..(i + 1)]));
        }

        var nameTag = ReadTag(path, span, dimsTag.Next, where);
        if (nameTag.Type != MiInt8)
            throw new DataFormatException(path, $"an array name (miINT8) in the {where}", $"type {nameTag.Type}");
        var name = Encoding.ASCII.GetString(span.Slice((int)nameTag.DataOffset, (int)nameTag.Count));

        if (arrayClass is < MxDoubleClass or > MxUInt64Class)   // cell, struct, char, sparse…: kept by name only
            return new Variable(name, arrayClass, complex, dims, MiUInt8, ReadOnlyMemory<byte>.Empty);

        var realTag = ReadTag(path, span, nameTag.Next, where);
        int size = SizeOf(realTag.Type);
        if (size == 0)
            throw new DataFormatException(path, $"a numeric type (miINT8..miUINT64) for the real part of '{name}'", $"type {realTag.Type}");
        // Compare element counts in floating point: a lying header's product can overflow any integer type.
        double expected = dims.Aggregate(1.0, (a, d) => a * d);
        if (realTag.Count % size != 0 || realTag.Count / size != expected)
            throw new DataFormatException(path, $"{expected:0} values of {size} byte(s) for '{name}' of size {string.Join("×", dims)}",
                $"{realTag.Count} bytes of data ({realTag.Count / (double)size:0.##} values)");
        return new Variable(name, arrayClass, complex, dims, realTag.Type, matrix.Slice((int)realTag.DataOffset, (int)realTag.Count));
    }

    private static string Printable(ReadOnlySpan<byte> bytes) =>
        new(bytes.ToArray().Select(b => b is >= 0x20 and < 0x7f ? (char)b : '?').ToArray());
}
