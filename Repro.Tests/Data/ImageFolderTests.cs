using Repro.Data;
using SkiaSharp;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>
/// `repro score --images`' decoding (Data/ImageFolder.cs): files written with SkiaSharp read back to the pixels
/// written, luma and resizing against hand-computed values, labels from subfolders as torchvision's ImageFolder gives
/// them, and every kind of bad input named.
/// </summary>
public class ImageFolderTests
{
    private static byte[] Pattern(int count, int seed) => Enumerable.Range(0, count).Select(i => (byte)((i * 37 + seed * 101 + i * i) % 256)).ToArray();

    [Fact]
    public void A_png_decodes_to_exactly_the_pixels_written()
    {
        using var dir = new TempDir();
        var rgb = Pattern(5 * 3 * 3, 1);   // 5 wide, 3 high: rows and columns cannot be confused
        ImageFiles.WriteRgb(dir.File("a.png"), rgb, 5, 3);
        var (decoded, width, height) = ImageFolder.DecodeRgb(dir.File("a.png"));
        Assert.Equal((5, 3), (width, height));
        Assert.Equal(rgb, decoded);

        // The colour model's input: planar R, G, B.
        var planes = ImageFolder.ToChannels(decoded, 15, 3);
        for (int i = 0; i < 15; i++)
            Assert.Equal((rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]), (planes[i], planes[15 + i], planes[30 + i]));
    }

    [Fact]
    public void A_colour_profile_is_ignored_as_pil_ignores_it()
    {
        using var dir = new TempDir();
        var rgba = Pattern(4 * 4 * 4, 3).Select((v, i) => i % 4 == 3 ? (byte)255 : v).ToArray();
        using var displayP3 = SKColorSpace.CreateRgb(SKColorSpaceTransferFn.Srgb, SKColorSpaceXyz.DisplayP3);
        ImageFiles.WriteRgba(dir.File("p3.png"), rgba, 4, 4, colorSpace: displayP3);
        Assert.Contains("iCCP", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(dir.File("p3.png"))));   // the profile is in the file
        Assert.Equal(rgba.Where((_, i) => i % 4 != 3), ImageFolder.DecodeRgb(dir.File("p3.png")).Rgb);            // and not applied
    }

    [Fact]
    public void A_grey_png_is_its_own_grey_and_is_replicated_for_a_colour_model()
    {
        using var dir = new TempDir();
        var grey = Pattern(28 * 28, 2);
        ImageFiles.WriteGrey(dir.File("g.png"), grey, 28, 28);
        Assert.Equal(grey, ImageFolder.Read(dir.File("g.png"), channels: 1, side: 28));
        Assert.Equal(grey.Concat(grey).Concat(grey), ImageFolder.Read(dir.File("g.png"), channels: 3, side: 28));
    }

    [Fact]
    public void A_jpeg_decodes_to_the_pixels_written_within_jpeg_loss()
    {
        using var dir = new TempDir();
        const int side = 32;
        // A smooth colour image (JPEG keeps those well): red along x, green along y, blue constant.
        var rgb = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
        {
            int i = y * side + x;
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = ((byte)(x * 8), (byte)(y * 8), 128);
        }
        ImageFiles.WriteRgb(dir.File("a.jpg"), rgb, side, side, SKEncodedImageFormat.Jpeg, quality: 95);
        var (decoded, width, height) = ImageFolder.DecodeRgb(dir.File("a.jpg"));
        Assert.Equal((side, side), (width, height));
        var errors = decoded.Zip(rgb, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(errors.Max() <= 8, $"largest JPEG error {errors.Max()} grey levels");
        Assert.True(errors.Average() <= 1.5, $"mean JPEG error {errors.Average():F2} grey levels");
    }

    [Fact]
    public void Luma_is_pil_convert_L_on_hand_computed_pixels()
    {
        // PIL's L24: (R·19595 + G·38470 + B·7471 + 32768) >> 16. By hand, 299/587/114 thousandths rounded:
        // red 76.245 → 76, green 149.685 → 150, blue 29.07 → 29, (10, 20, 30) 18.15 → 18, (1, 1, 0) 0.886 → 1 (rounded, not cut).
        var pixels = new (byte R, byte G, byte B, byte L)[]
        {
            (255, 0, 0, 76), (0, 255, 0, 150), (0, 0, 255, 29), (10, 20, 30, 18), (1, 1, 0, 1), (255, 255, 255, 255), (0, 0, 0, 0),
            (200, 100, 50, 124),   // 59.8 + 58.7 + 5.7 = 124.2
        };
        foreach (var p in pixels) Assert.Equal(p.L, ImageFolder.Luma(p.R, p.G, p.B));

        // The same through a PNG file read for a grey model (2 × 4 pixels; the eighth repeats the first).
        using var dir = new TempDir();
        var rgb = pixels.SelectMany(p => new[] { p.R, p.G, p.B }).ToArray();
        ImageFiles.WriteRgb(dir.File("c.png"), rgb, 4, 2);
        Assert.Equal(pixels.Select(p => p.L), ImageFolder.ToChannels(ImageFolder.DecodeRgb(dir.File("c.png")).Rgb, 8, 1));
    }

    [Fact]
    public void Alpha_is_dropped_not_composited()
    {
        using var dir = new TempDir();
        // Transparent, half-transparent and opaque pixels with the same colour: all decode to that colour.
        var rgba = new byte[] { 200, 100, 50, 0, 200, 100, 50, 128, 200, 100, 50, 255, 10, 20, 30, 0 };
        ImageFiles.WriteRgba(dir.File("t.png"), rgba, 2, 2);
        Assert.Equal(new byte[] { 200, 100, 50, 200, 100, 50, 200, 100, 50, 10, 20, 30 }, ImageFolder.DecodeRgb(dir.File("t.png")).Rgb);
    }

    [Fact]
    public void Resizing_is_pils_bilinear_on_hand_computed_values()
    {
        // Shrinking 4 → 2 (PIL's BILINEAR: triangle filter widened ×2, weights renormalized at the edge):
        // column 0 from pixels 0..2 with weights .75, .75, .25 → (0·.75 + 40·.75 + 80·.25) / 1.75 = 28.57 → 29;
        // column 1 from pixels 1..3 with weights .25, .75, .75 → (40·.25 + 80·.75 + 120·.75) / 1.75 = 91.43 → 91.
        // Plain bilinear would give 20 and 100.
        var row = new byte[] { 0, 40, 80, 120 };
        var image = Enumerable.Repeat(row, 4).SelectMany(r => r).ToArray();
        Assert.Equal(new byte[] { 29, 91, 29, 91 }, ImageFolder.Resize(image, 1, 4, 4, 2));

        // Growing 2 → 4 is ordinary bilinear with pixel centres at +0.5: 0, 25, 75, 100 along each row.
        var small = new byte[] { 0, 100, 0, 100 };
        Assert.Equal(Enumerable.Repeat(new byte[] { 0, 25, 75, 100 }, 4).SelectMany(r => r), ImageFolder.Resize(small, 1, 2, 2, 4));

        // A file of another size is resized after its grey is taken.
        using var dir = new TempDir();
        ImageFiles.WriteGrey(dir.File("big.png"), image, 4, 4);
        Assert.Equal(new byte[] { 29, 91, 29, 91 }, ImageFolder.Read(dir.File("big.png"), channels: 1, side: 2));
    }

    [Fact]
    public void Luma_and_resizing_equal_what_pillow_computes()
    {
        // A 7 × 5 RGB pattern; the expected values were printed by Pillow 9.4.0 (Debian 12's python3-pil) for the same
        // pattern: Image.fromarray(rgb, "RGB").convert("L"), and .resize((n, n), Image.BILINEAR) of each, planar.
        const int width = 7, height = 5;
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        for (int c = 0; c < 3; c++)
            rgb[(y * width + x) * 3 + c] = (byte)((37 * x + 91 * y + 53 * c + 7 * x * y) % 256);
        byte[] Pillow(params int[] values) => values.Select(v => (byte)v).ToArray();

        var grey = ImageFolder.ToChannels(rgb, width * height, 1);
        Assert.Equal(Pillow(43, 80, 117, 154, 191, 199, 86, 134, 178, 193, 87, 54, 98, 142, 196, 97, 71, 122, 173, 195, 96, 60, 118, 176,
            205, 113, 94, 152, 151, 187, 102, 90, 155, 191, 106), grey);
        Assert.Equal(Pillow(114, 134, 134, 132, 131, 136, 136, 139, 138), ImageFolder.Resize(grey, 1, height, width, 3));
        Assert.Equal(Pillow(43, 68, 96, 125, 154, 183, 195, 161, 86, 73, 100, 126, 140, 132, 142, 156, 145, 105, 124, 152, 175, 164, 94,
            75, 91, 118, 136, 162, 148, 141, 130, 103, 106, 126, 135, 122, 196, 130, 85, 82, 122, 162, 185, 162, 96, 120, 113, 118, 138,
            168, 146, 139, 135, 127, 70, 107, 145, 173, 192, 134, 110, 119, 147, 121, 150, 147, 127, 128, 138, 151, 146, 121, 151, 175,
            149, 99, 90, 141, 175, 163, 106), ImageFolder.Resize(grey, 1, height, width, 9));
        Assert.Equal(Pillow(74, 127, 135, 139, 124, 143, 122, 145, 155, 127, 134, 136, 130, 132, 134, 144, 138, 133, 156, 153, 126, 121,
            140, 125, 134, 129, 123), ImageFolder.Resize(ImageFolder.ToChannels(rgb, width * height, 3), 3, height, width, 3));
    }

    [Fact]
    public void Subfolders_are_classes_in_sorted_order_and_images_directly_in_the_folder_have_no_label()
    {
        using var dir = new TempDir();
        byte[] Grey(byte v) => Enumerable.Repeat(v, 4).ToArray();
        ImageFiles.WriteGrey(dir.File("root.png"), Grey(1), 2, 2);
        ImageFiles.WriteGrey(dir.File("zebra/x.PNG"), Grey(2), 2, 2);                   // extension in any case
        ImageFiles.WriteGrey(dir.File("apple/z.png"), Grey(3), 2, 2);
        ImageFiles.WriteGrey(dir.File("apple/sub/a.jpeg"), Grey(4), 2, 2, SKEncodedImageFormat.Jpeg);   // any depth below a class
        ImageFiles.WriteGrey(dir.File("Mango/m.jpg"), Grey(5), 2, 2, SKEncodedImageFormat.Jpeg);      // ordinal: upper case first
        Directory.CreateDirectory(dir.File("empty"));
        File.WriteAllText(dir.File("readme.txt"), "not an image");
        Directory.CreateDirectory(dir.File("docs"));
        File.WriteAllText(dir.File("docs/about.txt"), "a folder without images is not a class");

        var folder = ImageFolder.Load(dir.Path, channels: 1, side: 2);
        Assert.Equal(["Mango", "apple", "zebra"], folder.Classes);
        Assert.Equal(["root.png", "Mango/m.jpg", "apple/z.png", "apple/sub/a.jpeg", "zebra/x.PNG"], folder.Paths);
        Assert.Equal([ImageFolder.NoLabel, 0, 1, 1, 2], folder.Images.Labels);
        Assert.Equal((5, 2), (folder.Candidates, folder.Ignored));
        Assert.Empty(folder.Skipped);
        Assert.Equal((1, 2, 2, 3), (folder.Images.Channels, folder.Images.Height, folder.Images.Width, folder.Images.NumClasses));
        Assert.Equal(new byte[] { 1, 1, 1, 1 }, folder.Images.Pixels[..4]);
        Assert.Equal(new byte[] { 3, 3, 3, 3 }, folder.Images.Pixels[8..12]);
    }

    [Fact]
    public void Corrupt_files_are_skipped_and_named_or_with_strict_refused()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 3; i++) ImageFiles.WriteGrey(dir.File($"good{i}.png"), Pattern(16, i), 4, 4);
        // Cut inside the pixel data (the header decodes; the rows run out), and inside the header.
        var png = ImageFiles.NoisyGreyPngBytes(64, 7);
        File.WriteAllBytes(dir.File("cut.png"), png[..(png.Length * 3 / 4)]);
        File.WriteAllBytes(dir.File("head.png"), png[..20]);
        File.WriteAllText(dir.File("text.jpg"), "this is not a JPEG");
        File.WriteAllBytes(dir.File("empty.png"), []);
        File.WriteAllText(dir.File("list.txt"), "ignored");

        var folder = ImageFolder.Load(dir.Path, channels: 1, side: 4);
        Assert.Equal(["good0.png", "good1.png", "good2.png"], folder.Paths);
        Assert.Equal(3, folder.Images.Count);
        Assert.Equal((7, 1), (folder.Candidates, folder.Ignored));
        Assert.Equal(["cut.png", "empty.png", "head.png", "text.jpg"], folder.Skipped.Select(s => s.Path));
        Assert.Equal("could not be decoded as Png (the file ends early: truncated)", folder.Skipped[0].Reason);
        Assert.Equal("is empty (0 bytes)", folder.Skipped[1].Reason);
        Assert.Contains("truncated", folder.Skipped[2].Reason);
        Assert.Contains("not an image", folder.Skipped[3].Reason);

        var e = Assert.Throws<ReproException>(() => ImageFolder.Load(dir.Path, channels: 1, side: 4, strict: true));
        Assert.Contains(Path.Combine(dir.Path, "cut.png"), e.Message);    // the first bad file in the folder's order
        Assert.Contains("truncated", e.Message);
        Assert.Contains("(strict: ", e.Message);
    }

    [Fact]
    public void An_image_in_another_format_under_a_png_name_is_skipped_naming_its_format()
    {
        using var dir = new TempDir();
        ImageFiles.WriteGrey(dir.File("ok.png"), Pattern(4, 0), 2, 2);
        ImageFiles.WriteRgb(dir.File("fake.png"), Pattern(12, 1), 2, 2, SKEncodedImageFormat.Webp);
        var folder = ImageFolder.Load(dir.Path, channels: 1, side: 2);
        Assert.Equal("fake.png", Assert.Single(folder.Skipped).Path);
        Assert.Contains("Webp, not PNG or JPEG", folder.Skipped[0].Reason);
    }

    [Fact]
    public void A_missing_empty_or_imageless_folder_is_one_clear_error()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<ReproException>(() => ImageFolder.Load(dir.File("nope"), 1, 28));
        Assert.Equal($"image folder {dir.File("nope")} does not exist", missing.Message);

        Directory.CreateDirectory(dir.File("empty/sub"));
        Assert.Contains("is empty", Assert.Throws<ReproException>(() => ImageFolder.Load(dir.File("empty"), 1, 28)).Message);

        Directory.CreateDirectory(dir.File("text"));
        File.WriteAllText(dir.File("text/a.txt"), "x");
        File.WriteAllText(dir.File("text/b.gif"), "x");
        var none = Assert.Throws<ReproException>(() => ImageFolder.Load(dir.File("text"), 1, 28)).Message;
        Assert.Contains("holds no PNG or JPEG files", none);
        Assert.Contains("2 other files, e.g. a.txt", none);

        Directory.CreateDirectory(dir.File("bad"));
        File.WriteAllText(dir.File("bad/a.png"), "x");
        var allBad = Assert.Throws<ReproException>(() => ImageFolder.Load(dir.File("bad"), 1, 28)).Message;
        Assert.Contains("none of the 1 PNG/JPEG file in", allBad);
        Assert.Contains("a.png", allBad);

        File.WriteAllText(dir.File("file.png"), "x");
        Assert.Contains("is a file", Assert.Throws<ReproException>(() => ImageFolder.Load(dir.File("file.png"), 1, 28)).Message);
    }
}
