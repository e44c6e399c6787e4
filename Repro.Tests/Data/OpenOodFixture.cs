using Repro.Data;
using SkiaSharp;

namespace Repro.Tests.Data;

/// <summary>
/// A small OpenOOD data folder in the layout OpenOOD distributes (benchmark_imglist/cifar10/test_&lt;set&gt;.txt, images under
/// images_classic/&lt;set&gt;/… at any depth, OoD labels −1), each set in the kind of file OpenOOD's copy holds: CIFAR-100 and
/// SVHN as 32 × 32 colour PNG, TinyImageNet as 64 × 64 JPEG named .JPEG, MNIST as 28 × 28 grey PNG, Textures as JPEGs of
/// assorted sizes (landscape and portrait, odd crop offsets), Places365 as colour PNG with alpha; val_tin.txt beside.
/// The pictures are the 28 × 28 grey sources given, tinted and scaled (nearest) to each set's size.
/// </summary>
public static class OpenOodFixture
{
    /// <summary>Texture sizes (width × height): a wide one whose crop offset is a half (rounded to even), a tall one, a small one.</summary>
    private static readonly (int W, int H)[] TextureSizes = [(300, 211), (37, 53), (45, 37), (33, 32)];

    /// <summary>Writes <paramref name="perSet"/> images per set under <paramref name="root"/>; source(i) gives image i's 28 × 28 grey pixels.</summary>
    public static void Write(string root, int perSet, Func<string, int, byte[]> source)
    {
        foreach (var set in DataCatalog.OpenOodLists.Keys)
        {
            var list = DataCatalog.OpenOodLists[set];
            var lines = new List<string>();
            for (int i = 0; i < perSet; i++)
            {
                var grey = source(set, i);
                var relative = set switch
                {
                    "openood-cifar100" => $"cifar100/test/{i:D5}.png",
                    "openood-tin" => $"tin/test/n0{1443537 + i % 3}/images/test_{i}.JPEG",
                    "openood-val-tin" => $"tin/val/images/val_{i}.JPEG",
                    "openood-mnist" => $"mnist/test/{i}.png",
                    "openood-svhn" => $"svhn/test/{i}.png",
                    "openood-texture" => $"texture/images/{(i % 2 == 0 ? "banded" : "woven")}/{(i % 2 == 0 ? "banded" : "woven")}_{i:D4}.jpg",
                    "openood-places365" => $"places365/test/{(char)('a' + i % 3)}/{i:D6}.png",
                    _ => throw new ArgumentException(set),
                };
                var path = Path.Combine(root, OpenOodImageList.ImagesFolder, relative);
                switch (set)
                {
                    case "openood-mnist": ImageFiles.WriteGrey(path, grey, 28, 28); break;
                    case "openood-cifar100" or "openood-svhn": ImageFiles.WriteRgb(path, Tint(Scale(grey, 32, 32), 32 * 32, i), 32, 32); break;
                    case "openood-tin" or "openood-val-tin":
                        ImageFiles.WriteRgb(path, Tint(Scale(grey, 64, 64), 64 * 64, i), 64, 64, SKEncodedImageFormat.Jpeg, 90); break;
                    case "openood-texture":
                        var (w, h) = TextureSizes[i % TextureSizes.Length];
                        ImageFiles.WriteRgb(path, Tint(Scale(grey, w, h), w * h, i), w, h, SKEncodedImageFormat.Jpeg, 85); break;
                    default:
                        var rgb = Tint(Scale(grey, 40, 33), 40 * 33, i);
                        var rgba = new byte[40 * 33 * 4];
                        for (int p = 0; p < 40 * 33; p++)
                        {
                            rgba[4 * p] = rgb[3 * p]; rgba[4 * p + 1] = rgb[3 * p + 1]; rgba[4 * p + 2] = rgb[3 * p + 2];
                            rgba[4 * p + 3] = (byte)(p % 7 == 0 ? 0 : 255);   // alpha dropped, not composited
                        }
                        ImageFiles.WriteRgba(path, rgba, 40, 33);
                        break;
                }
                lines.Add($"{relative} -1");
            }
            var listPath = Path.Combine(root, OpenOodImageList.ListsFolder, list);
            Directory.CreateDirectory(Path.GetDirectoryName(listPath)!);
            File.WriteAllText(listPath, string.Join("\n", lines) + "\n");
        }
    }

    /// <summary>A smooth 28 × 28 grey pattern (JPEG keeps those well), different for every set and index.</summary>
    public static byte[] Pattern(string set, int i)
    {
        var pixels = new byte[28 * 28];
        int phase = set.Length * 7 + i * 13;
        for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
            pixels[y * 28 + x] = (byte)(128 + 100 * Math.Sin((x * (1 + i % 3) + phase) / 5.0) * Math.Cos((y + phase) / 7.0));
        return pixels;
    }

    /// <summary>28 × 28 grey → <paramref name="width"/> × <paramref name="height"/>, nearest neighbour.</summary>
    private static byte[] Scale(byte[] grey, int width, int height)
    {
        var output = new byte[width * height];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            output[y * width + x] = grey[y * 28 / height * 28 + x * 28 / width];
        return output;
    }

    /// <summary>Grey → interleaved RGB with a per-image tint, so the channels differ.</summary>
    private static byte[] Tint(byte[] grey, int count, int i)
    {
        var rgb = new byte[count * 3];
        for (int p = 0; p < count; p++)
        {
            int g = grey[p];
            rgb[3 * p] = (byte)g;
            rgb[3 * p + 1] = (byte)(g * (3 + i % 2) / 4);
            rgb[3 * p + 2] = (byte)(255 - g / (2 + i % 3));
        }
        return rgb;
    }
}
