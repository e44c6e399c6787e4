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
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        const int preamble = 10;   // magic (6) + version (2) + header length (2)
        int padded = (preamble + dict.Length + 1 + 63) / 64 * 64 - preamble;
        var header = Encoding.ASCII.GetBytes(dict.PadRight(padded - 1) + "\n");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpyFile writes little-endian float32 only");
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        stream.Write(header);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }
}
