namespace Repro.Data;

/// <summary>
/// Reader for SVHN's cropped-digits files (http://ufldl.stanford.edu/housenumbers/, e.g. test_32x32.mat): a MAT-file
/// with <c>X</c>, uint8 of size 32×32×3×N, and <c>y</c>, N×1 labels 1..10 where 10 stands for the digit 0.
/// MATLAB stores X column-major — row fastest, then column, then channel, then image — so each 32×32 plane is
/// transposed into the row-major N×C×H×W layout of <see cref="ImageSet"/>, and label 10 becomes 0.
/// </summary>
public static class SvhnMat
{
    public const int Side = 32, Channels = 3, NumClasses = 10;

    public static ImageSet Read(string path, string name = "svhn")
    {
        var variables = MatFile.Read(path);
        var x = Numeric(path, variables, "X", "the images");
        var y = Numeric(path, variables, "y", "the labels");

        // MATLAB drops trailing singleton dimensions, so a single image is 32×32×3.
        if (x.Dims.Length is not (3 or 4) || x.Dims[0] != Side || x.Dims[1] != Side || x.Dims[2] != Channels)
            throw new DataFormatException(path, $"X of size {Side}×{Side}×{Channels}×N (row × column × channel × image)", x.Shape);
        int count = x.Dims.Length == 4 ? x.Dims[3] : 1;
        bool vector = y.Dims.Length == 2 && (y.Dims[0] == 1 || y.Dims[1] == 1);
        if (!vector || y.Count != count)
            throw new DataFormatException(path, $"y of size {count}×1 (one label per image in X)", y.Shape);

        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            double v = y.Value(i);
            if (v is not (>= 1 and <= 10) || v != Math.Floor(v))
                throw new DataFormatException(path, "SVHN labels in 1..10 (10 for the digit 0) in y", $"{v} at index {i}");
            labels[i] = (long)v % 10;
        }
        return new ImageSet(name, Pixels(path, x, count), labels, Channels, Side, Side, NumClasses);
    }

    private static MatFile.Variable Numeric(string path, IReadOnlyDictionary<string, MatFile.Variable> variables, string name, string what)
    {
        if (!variables.TryGetValue(name, out var v))
            throw new DataFormatException(path, $"a variable '{name}' ({what})",
                variables.Count == 0 ? "no variables" : $"only {string.Join(", ", variables.Keys.Select(k => $"'{k}'"))}");
        if (!v.IsNumeric || v.IsComplex)
            throw new DataFormatException(path, $"'{name}' to be a real numeric array", $"array class {v.ArrayClass}{(v.IsComplex ? " (complex)" : "")}");
        return v;
    }

    /// <summary>Our [n, c, h, w] is MATLAB's X(h, w, c, n): source index h + 32·w + 1024·c + 3072·n.</summary>
    private static byte[] Pixels(string path, MatFile.Variable x, int count)
    {
        const int plane = Side * Side;
        var pixels = new byte[(long)count * Channels * plane];
        var raw = x.StoredType == MatFile.MiUInt8 ? x.Data.Span : default;
        for (long p = 0; p < (long)count * Channels; p++)   // one plane per (image, channel); same offset on both sides
        {
            long b = p * plane;
            for (int h = 0; h < Side; h++)
            for (int w = 0; w < Side; w++)
            {
                long source = b + h + Side * w;
                pixels[b + Side * h + w] = x.StoredType == MatFile.MiUInt8 ? raw[(int)source] : PixelValue(path, x, source);
            }
        }
        return pixels;
    }

    /// <summary>X stored in a type other than uint8: each value must still be a whole number in 0..255.</summary>
    private static byte PixelValue(string path, MatFile.Variable x, long index)
    {
        double v = x.Value(index);
        if (v is not (>= 0 and <= 255) || v != Math.Floor(v))
            throw new DataFormatException(path, "pixel values in 0..255 in X", $"{v} at index {index}");
        return (byte)v;
    }
}
