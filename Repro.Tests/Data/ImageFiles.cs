using System.Runtime.InteropServices;
using SkiaSharp;

namespace Repro.Tests.Data;

/// <summary>Writes PNG and JPEG files with SkiaSharp for tests: grey (one byte per pixel) or RGB(A) (interleaved).</summary>
public static class ImageFiles
{
    /// <summary>A grey image, <paramref name="pixels"/> row-major, as an 8-bit grey PNG (or JPEG).</summary>
    public static void WriteGrey(string path, byte[] pixels, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100) =>
        Write(path, pixels, new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), format, quality);

    /// <summary>An RGB image, interleaved R, G, B bytes row-major, saved opaque.</summary>
    public static void WriteRgb(string path, byte[] rgb, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            rgba[4 * i] = rgb[3 * i]; rgba[4 * i + 1] = rgb[3 * i + 1]; rgba[4 * i + 2] = rgb[3 * i + 2]; rgba[4 * i + 3] = 255;
        }
        WriteRgba(path, rgba, width, height, format, quality);
    }

    /// <summary>An RGBA image, interleaved and not premultiplied (as PNG stores it).</summary>
    public static void WriteRgba(string path, byte[] rgba, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100,
        SKColorSpace? colorSpace = null) =>
        Write(path, rgba, new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul, colorSpace), format, quality);

    private static void Write(string path, byte[] pixels, SKImageInfo info, SKEncodedImageFormat format, int quality)
    {
        using var bitmap = new SKBitmap(info);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(format, quality)
                         ?? throw new InvalidOperationException($"SkiaSharp could not encode {info.ColorType} as {format}");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A valid grey PNG's bytes, for files to cut short or corrupt: noise, so its pixel data is most of the file.</summary>
    public static byte[] NoisyGreyPngBytes(int side, int seed)
    {
        using var dir = new TempDir();
        var random = new Random(seed);
        var pixels = new byte[side * side];
        random.NextBytes(pixels);
        WriteGrey(dir.File("x.png"), pixels, side, side);
        return File.ReadAllBytes(dir.File("x.png"));
    }
}
