using Repro.Data;

namespace Repro.Tests.Data;

/// <summary>Writes CIFAR binary files for tests: records of label byte(s) then 3072 pixels, as the published files.</summary>
public static class CifarBinaryWriter
{
    /// <summary>The test pattern: a value that differs with image, channel, row and column (and row ≠ column).</summary>
    public static byte Pixel(int image, int channel, int row, int col) => (byte)((7 * image + 50 * channel + 3 * row + 11 * col) % 256);

    /// <summary>One record per label tuple; image i of the file gets <see cref="Pixel"/>(firstImage + i, …).</summary>
    public static void Write(string path, CifarBinary.Format format, IReadOnlyList<byte[]> labelBytes, int firstImage = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        for (int i = 0; i < labelBytes.Count; i++)
        {
            if (labelBytes[i].Length != format.LabelBytes) throw new ArgumentException($"{format.Name} records have {format.LabelBytes} label bytes");
            file.Write(labelBytes[i]);
            var pixels = new byte[CifarBinary.ImageSize];
            for (int c = 0; c < CifarBinary.Channels; c++)
            for (int h = 0; h < CifarBinary.Side; h++)
            for (int w = 0; w < CifarBinary.Side; w++)
                pixels[(c * CifarBinary.Side + h) * CifarBinary.Side + w] = Pixel(firstImage + i, c, h, w);
            file.Write(pixels);
        }
    }

    public static void WriteCifar10(string path, params byte[] labels) =>
        Write(path, CifarBinary.Cifar10, labels.Select(l => new[] { l }).ToArray());
}
