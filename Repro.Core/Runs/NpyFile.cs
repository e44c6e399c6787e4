using System.Text;

namespace Repro.Runs;

/// <summary>
/// NumPy's .npy format, version 1.0 (numpy.lib.format): the magic "\x93NUMPY", the version, a little-endian uint16
/// header length, then a Python dict literal giving dtype, order and shape, padded with spaces and a newline so the
/// data starts on a 64-byte boundary; then the raw values in C order. `numpy.load` reads what this writes.
/// </summary>
public static class NpyFile
{
    /// <summary>Writes a float32 matrix [rows, columns] (row-major <paramref name="values"/>); units write theirs inside their partial folder.</summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values do not make a {rows} × {columns} matrix");
        Write(path, "<f4", [rows, columns], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes uint8 values of any shape — an image set's pixels [N, C, H, W], for tools that read .npy.</summary>
    public static void WriteUInt8(string path, ReadOnlySpan<byte> values, params long[] shape)
    {
        if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, d) => a * d) != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill the shape ({string.Join(", ", shape)})");
        Write(path, "|u1", shape, values);
    }

    /// <summary>Writes int64 values [N] — labels that do not fit uint8 (OpenOOD's OoD lists label every image −1).</summary>
    public static void WriteInt64(string path, ReadOnlySpan<long> values) =>
        Write(path, "<i8", [values.Length], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void Write(string path, string descr, long[] shape, ReadOnlySpan<byte> data)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        const int preamble = 10;   // magic (6) + version (2) + header length (2)
        int padded = (preamble + dict.Length + 1 + 63) / 64 * 64 - preamble;
        var header = Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpyFile writes little-endian data only");
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        stream.Write(header);
        stream.Write(data);
    }
}
