using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Repro.Data;

namespace Repro.Tests.Data;

/// <summary>
/// Writes little-endian Level 5 MAT-files for tests, in the layout MATLAB writes: 128-byte header, then one miMATRIX
/// per variable (array flags, dimensions, name and real part — these two as small data elements when ≤ 4 bytes), each
/// optionally wrapped in a miCOMPRESSED zlib element as MATLAB 7 does. Header fields and raw elements can be set to
/// anything, so tests can also write the broken files a reader must refuse.
/// </summary>
public sealed class MatFileWriter(string headerText = MatFile.HeaderText, ushort version = 0x0100, string endian = "IM")
{
    private readonly MemoryStream body = new();

    public MatFileWriter UInt8(string name, int[] dims, byte[] values, bool compress = false) =>
        Add(Matrix(MatFile.MxUInt8Class, dims, name, MatFile.MiUInt8, values), compress);

    /// <summary>A double-class array; with <paramref name="storeAsUInt8"/> its values are stored as miUINT8, as MATLAB
    /// does when they all fit (SVHN's y is stored so).</summary>
    public MatFileWriter Double(string name, int[] dims, double[] values, bool compress = false, bool storeAsUInt8 = false)
    {
        byte[] data;
        if (storeAsUInt8) data = values.Select(v => checked((byte)v)).ToArray();
        else
        {
            data = new byte[8 * values.Length];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        }
        return Add(Matrix(MatFile.MxDoubleClass, dims, name, storeAsUInt8 ? MatFile.MiUInt8 : MatFile.MiDouble, data), compress);
    }

    /// <summary>Any top-level element as given (a hand-made miCOMPRESSED payload, a truncated one…).</summary>
    public MatFileWriter Raw(byte[] element) { body.Write(element); return this; }

    public byte[] ToBytes()
    {
        var header = new byte[MatFile.HeaderSize];
        header.AsSpan(0, 116).Fill((byte)' ');
        var text = Encoding.ASCII.GetBytes(headerText + ", Platform: test, Created by: Repro.Tests");
        text.AsSpan(0, Math.Min(116, text.Length)).CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), version);
        Encoding.ASCII.GetBytes(endian).CopyTo(header, 126);
        return [.. header, .. body.ToArray()];
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, ToBytes());
    }

    private MatFileWriter Add(byte[] matrix, bool compress) => Raw(compress ? Compressed(matrix) : matrix);

    /// <summary>A miMATRIX element: array flags, dimensions, name, real part.</summary>
    public static byte[] Matrix(int arrayClass, int[] dims, string name, int storedType, byte[] data)
    {
        var flags = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)arrayClass);
        var dimBytes = new byte[4 * dims.Length];
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(dimBytes.AsSpan(4 * i), dims[i]);
        byte[] content = [.. Element(MatFile.MiUInt32, flags), .. Element(MatFile.MiInt32, dimBytes),
                          .. Element(MatFile.MiInt8, Encoding.ASCII.GetBytes(name), small: true), .. Element(storedType, data, small: true)];
        return Element(MatFile.MiMatrix, content);
    }

    /// <summary>A data element: tag then data padded to 8 bytes, or with <paramref name="small"/> and ≤ 4 bytes the
    /// 8-byte small form (byte count in the upper 16 bits of the first word).</summary>
    public static byte[] Element(int type, byte[] data, bool small = false)
    {
        if (small && data.Length <= 4)
        {
            var packed = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(packed, (uint)(data.Length << 16 | type));
            data.CopyTo(packed, 4);
            return packed;
        }
        var element = new byte[8 + (data.Length + 7) / 8 * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(element.AsSpan(4), (uint)data.Length);
        data.CopyTo(element, 8);
        return element;
    }

    /// <summary>A miCOMPRESSED element holding <paramref name="element"/> as a zlib stream (not padded, as MATLAB writes it).</summary>
    public static byte[] Compressed(byte[] element)
    {
        var zlib = new MemoryStream();
        using (var z = new ZLibStream(zlib, CompressionLevel.Fastest, leaveOpen: true)) z.Write(element);
        return CompressedRaw(zlib.ToArray());
    }

    /// <summary>A miCOMPRESSED tag around any bytes (e.g. a damaged zlib stream).</summary>
    public static byte[] CompressedRaw(byte[] payload)
    {
        var tag = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(tag, MatFile.MiCompressed);
        BinaryPrimitives.WriteUInt32LittleEndian(tag.AsSpan(4), (uint)payload.Length);
        return [.. tag, .. payload];
    }
}
