using System.Security.Cryptography;
using static TorchSharp.torch;

namespace Repro.Data;

/// <summary>
/// A decoded image set held as uint8 N×C×H×W (what the files store) plus integer labels. Conversion to float and
/// normalization happen per batch on the training device, so the set itself stays 4× smaller.
/// </summary>
public sealed class ImageSet
{
    public string Name { get; }
    public byte[] Pixels { get; }
    public long[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int NumClasses { get; }
    public int Count => Labels.Length;

    public ImageSet(string name, byte[] pixels, long[] labels, int channels, int height, int width, int numClasses)
    {
        if (pixels.LongLength != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{name}: {pixels.LongLength} pixels do not make {labels.Length} images of {channels}×{height}×{width}");
        Name = name; Pixels = pixels; Labels = labels;
        Channels = channels; Height = height; Width = width; NumClasses = numClasses;
    }

    /// <summary>SHA-256 of the decoded pixels then the labels (one byte each), so re-compressed copies hash alike.</summary>
    public string ContentHash() => contentHash ??= ComputeHash();
    private string? contentHash;

    private string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Pixels);
        sha.AppendData(Labels.Select(l => (byte)l).ToArray());
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The images whose label passes <paramref name="keep"/>, as a set of its own (labels unchanged).</summary>
    public ImageSet Where(Func<long, bool> keep, string name, int numClasses) =>
        Select(Enumerable.Range(0, Count).Where(i => keep(Labels[i])).ToArray(), name, numClasses);

    /// <summary>An evenly spaced <paramref name="count"/> of the images (image ⌊i·Count/count⌋ for i = 0…count−1), or the set itself
    /// when it holds no more (RunConfig.TestSubset).</summary>
    public ImageSet EvenlySpaced(int? count) => count is not { } n || n >= Count ? this
        : Select(Enumerable.Range(0, n).Select(i => (int)((long)i * Count / n)).ToArray());

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public ImageSet Select(IReadOnlyList<int> indices, string? name = null, int? numClasses = null)
    {
        int size = Channels * Height * Width;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new long[indices.Count];
        for (int j = 0; j < indices.Count; j++)
        {
            Pixels.AsSpan(indices[j] * size, size).CopyTo(pixels.AsSpan(j * size));
            labels[j] = Labels[indices[j]];
        }
        return new ImageSet(name ?? Name, pixels, labels, Channels, Height, Width, numClasses ?? NumClasses);
    }

    public Tensor PixelTensor(Device device) =>
        tensor(Pixels, new long[] { Count, Channels, Height, Width }, ScalarType.Byte).to(device);

    public Tensor LabelTensor(Device device) => tensor(Labels).to(device);
}
