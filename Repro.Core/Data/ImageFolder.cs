using SkiaSharp;

namespace Repro.Data;

/// <summary>A PNG/JPEG file that was not scored, and why (path relative to the folder).</summary>
public sealed record SkippedImage(string Path, string Reason);

/// <summary>
/// The images of a user's folder, decoded to a model's input shape: <see cref="Images"/> holds them as uint8 N×C×H×W
/// (labels <see cref="ImageFolder.NoLabel"/> or a class index), <see cref="Paths"/> each one's path relative to the
/// folder, <see cref="Classes"/> the subfolder name of each class index. <see cref="Candidates"/> counts the PNG/JPEG
/// files found, <see cref="Ignored"/> the other files.
/// </summary>
public sealed record ImageFolderSet(ImageSet Images, IReadOnlyList<string> Paths, IReadOnlyList<string> Classes,
    IReadOnlyList<SkippedImage> Skipped, int Candidates, int Ignored);

/// <summary>
/// Reads every PNG/JPEG under a folder (recursively) into an <see cref="ImageSet"/> of a model's channels and side, so
/// the images take the built-in evaluation's own path (Training/Evaluator.cs normalizes them per batch). The rules:
/// <list type="bullet">
/// <item>Files: names ending .png, .jpg or .jpeg (any case); the content must decode as PNG or JPEG. Other files are
/// counted as ignored. Order: unlabelled images first, then by class, then by folder and file name (ordinal).</item>
/// <item>Labels, as torchvision's ImageFolder: the sorted (ordinal) names of DIR's subfolders that hold a PNG/JPEG at
/// any depth are classes 0..n−1; an image's label is its top subfolder's class; images directly in DIR have
/// <see cref="NoLabel"/>.</item>
/// <item>Decoding: SkiaSharp, 8 bits per channel, no colour management (ICC profiles and gAMA ignored) and no EXIF
/// rotation — as PIL's Image.open; alpha is dropped (not composited), as PIL's convert("RGB") and convert("L") do.</item>
/// <item>Channels: a grey model gets luma, ITU-R 601 as PIL's convert("L") computes it in 16-bit fixed point,
/// L = (R·19595 + G·38470 + B·7471 + 2¹⁵) >> 16 (299/587/114 thousandths, rounded); a colour model gets R, G, B (a
/// grey image has R = G = B, so its grey is replicated).</item>
/// <item>Size: after the channels, an image that is not side × side is resized to it, aspect not kept, exactly as PIL's
/// Image.resize((side, side), Image.BILINEAR) — torchvision's Resize on a PIL image — does (<see cref="Resize"/>).</item>
/// </list>
/// So an image becomes the bytes Pillow's Image.open(f).convert("L" or "RGB").resize(…) gives: checked byte for byte against
/// Pillow 9.4 on PNG (RGB, RGBA, grey, palette) and JPEG (4:2:0, 4:4:4) files, resized up, down and not at all.
/// </summary>
public static class ImageFolder
{
    public const long NoLabel = -1;
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg"];

    private sealed record Candidate(string FullPath, string RelativePath, string Folder, string FileName, string? Class);

    /// <summary>
    /// Every PNG/JPEG under <paramref name="dir"/> as <paramref name="channels"/> × <paramref name="side"/> ×
    /// <paramref name="side"/> uint8 images. A file that cannot be read or decoded is skipped (with its reason in
    /// <see cref="ImageFolderSet.Skipped"/>), or with <paramref name="strict"/> refused; a folder that is missing or
    /// holds no PNG/JPEG, or none that decodes, is refused.
    /// </summary>
    public static ImageFolderSet Load(string dir, int channels, int side, bool strict = false, string? name = null)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (grey) or 3 (RGB)");
        if (File.Exists(dir)) throw new ReproException($"{dir} is a file, not a folder of PNG/JPEG images");
        if (!Directory.Exists(dir)) throw new ReproException($"image folder {dir} does not exist");
        var root = Path.GetFullPath(dir);
        var skipped = new List<SkippedImage>();
        var files = Walk(root, skipped);
        if (files.Count == 0 && skipped.Count == 0) throw new ReproException($"image folder {dir} is empty");

        var candidates = new List<Candidate>();
        var others = new List<string>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(root, file);
            if (!IsImageName(file)) { others.Add(relative); continue; }
            var folder = Path.GetDirectoryName(relative) ?? "";
            int slash = relative.IndexOf(Path.DirectorySeparatorChar);
            candidates.Add(new Candidate(file, relative, folder, Path.GetFileName(relative), slash < 0 ? null : relative[..slash]));
        }
        if (strict && skipped.Count > 0)
            throw new ReproException($"{Path.Combine(dir, skipped[0].Path)}: {skipped[0].Reason} (strict: a folder it cannot read whole is refused)");
        if (candidates.Count == 0)
            throw new ReproException($"image folder {dir} holds no PNG or JPEG files ({string.Join(", ", Extensions)}); " +
                                     (others.Count > 0 ? $"it holds {Count(others.Count, "other file")}, e.g. {others.Order(StringComparer.Ordinal).First()}"
                                         : $"{Count(skipped.Count, "folder")} could not be read, e.g. {skipped[0].Path}: {skipped[0].Reason}"));

        var classes = candidates.Where(c => c.Class is not null).Select(c => c.Class!).Distinct().Order(StringComparer.Ordinal).ToList();
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (long)x.i, StringComparer.Ordinal);
        long LabelOf(Candidate c) => c.Class is null ? NoLabel : classIndex[c.Class];
        var ordered = candidates
            .OrderBy(LabelOf)
            .ThenBy(c => c.Folder, StringComparer.Ordinal)
            .ThenBy(c => c.FileName, StringComparer.Ordinal)
            .ToList();

        int size = channels * side * side;
        var pixels = new List<byte[]>(ordered.Count);
        var labels = new List<long>(ordered.Count);
        var paths = new List<string>(ordered.Count);
        foreach (var c in ordered)
        {
            var path = c.RelativePath.Replace(Path.DirectorySeparatorChar, '/');
            byte[] image;
            try { image = Read(c.FullPath, channels, side); }
            catch (ImageDecodeException e)
            {
                if (strict)
                    throw new ReproException($"{Path.Combine(dir, c.RelativePath)}: {e.Message} " +
                                             "(strict: any image that cannot be decoded refuses the folder; otherwise the file is skipped and named)");
                skipped.Add(new SkippedImage(path, e.Message));
                continue;
            }
            pixels.Add(image);
            labels.Add(LabelOf(c));
            paths.Add(path);
        }
        if (pixels.Count == 0)
            throw new ReproException($"none of the {Count(candidates.Count, "PNG/JPEG file")} in {dir} could be decoded; " +
                                     $"the first, {skipped[0].Path}: {skipped[0].Reason}");

        var all = new byte[(long)pixels.Count * size];
        for (int i = 0; i < pixels.Count; i++) pixels[i].CopyTo(all, (long)i * size);
        var set = new ImageSet(name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), all, labels.ToArray(),
            channels, side, side, classes.Count);
        return new ImageFolderSet(set, paths, classes, skipped, candidates.Count, others.Count);
    }

    /// <summary>
    /// Every file under <paramref name="root"/>, each real file once. Links are followed, to files and to folders, but a
    /// folder is walked once and a file taken once by its resolved path (<see cref="Platform.RealPath"/>): a link back up
    /// the tree, into a folder already walked, or to a file already found adds nothing. Entries are visited in ordinal
    /// name order, so the first path to a file is the one kept. A folder that cannot be listed (permissions) is put in
    /// <paramref name="skipped"/> with why; a link that dangles is listed as it is (an image name fails to read).
    /// </summary>
    private static List<string> Walk(string root, List<SkippedImage> skipped)
    {
        var files = new List<string>();
        var seenFolders = new HashSet<string>(StringComparer.Ordinal) { Platform.RealPath.Of(root) ?? root };
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            string[] entries;
            try { entries = Directory.GetFileSystemEntries(folder); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                skipped.Add(new SkippedImage(RelativeName(root, folder) + "/", $"a folder that cannot be listed ({e.GetType().Name}: {e.Message})"));
                continue;
            }
            var subfolders = new List<string>();
            foreach (var entry in entries.Order(StringComparer.Ordinal))
            {
                var real = Platform.RealPath.Of(entry);
                if (real is null) files.Add(entry);   // a link to nowhere: an image name is then skipped as unreadable, with why
                else if (Directory.Exists(real)) { if (seenFolders.Add(real)) subfolders.Add(entry); }
                else if (seenFiles.Add(real)) files.Add(entry);
            }
            for (int i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);   // depth first, in name order
        }
        return files;
    }

    private static string RelativeName(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    public static bool IsImageName(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>One file as <paramref name="channels"/> × side × side uint8 (planar), by the rules above.</summary>
    public static byte[] Read(string path, int channels, int side)
    {
        var (rgb, width, height) = DecodeRgb(path);
        var planes = ToChannels(rgb, width * height, channels);
        return width == side && height == side ? planes : Resize(planes, channels, height, width, side);
    }

    /// <summary>
    /// A PNG or JPEG file's pixels as interleaved R, G, B bytes (alpha dropped), with its size; anything else, or a
    /// truncated or corrupt file, throws <see cref="ImageDecodeException"/> saying why.
    /// </summary>
    public static (byte[] Rgb, int Width, int Height) DecodeRgb(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImageDecodeException($"cannot be read ({e.Message})"); }
        if (bytes.Length == 0) throw new ImageDecodeException("is empty (0 bytes)");
        using var data = CopyToSkia(bytes);
        var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);   // a codec takes its stream over
        if (codec is null)
        {
            stream.Dispose();
            throw new ImageDecodeException($"is not an image SkiaSharp can decode ({Describe(created)})");
        }
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
            throw new ImageDecodeException($"is {codec.EncodedFormat}, not PNG or JPEG");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0) throw new ImageDecodeException($"has no pixels ({width}×{height})");
        if ((long)width * height > MaxPixels)
            throw new ImageDecodeException($"is {width}×{height}, over the {MaxPixels:N0} pixels decoded per image");
        // No colour space: Skia's legacy mode, the file's bytes without colour management.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[(long)width * height * 4];
        SKCodecResult decoded;
        unsafe
        {
            fixed (byte* p = rgba) decoded = codec.GetPixels(info, (IntPtr)p);
        }
        if (decoded != SKCodecResult.Success) throw new ImageDecodeException($"could not be decoded as {codec.EncodedFormat} ({Describe(decoded)})");
        var rgb = new byte[(long)width * height * 3];
        for (long i = 0, n = (long)width * height; i < n; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }
        return (rgb, width, height);
    }

    private static SKData CopyToSkia(byte[] bytes)
    {
        try { return SKData.CreateCopy(bytes); }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException)
        {
            throw new ReproException($"SkiaSharp's native library (libSkiaSharp.so) cannot be loaded ({(e.InnerException ?? e).GetType().Name}), " +
                                     "so images cannot be decoded here (a publish that left it out?)", e);
        }
    }

    /// <summary>A decoded image over this many pixels (a 16k × 16k photograph) is refused rather than held as 1 GiB of RGBA.</summary>
    public const long MaxPixels = 1L << 28;

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file ends early: truncated",
        SKCodecResult.ErrorInInput => "corrupt data",
        SKCodecResult.InvalidInput => "invalid or unrecognized data",
        SKCodecResult.Unimplemented => "unrecognized format",
        _ => result.ToString(),
    };

    /// <summary>ITU-R 601 luma as PIL's convert("L") computes it (libImaging/Convert.c, L24): 16-bit fixed point, rounded.</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    /// <summary>Interleaved RGB → planar: one luma plane (<paramref name="channels"/> = 1) or the R, G, B planes (3).</summary>
    public static byte[] ToChannels(byte[] rgb, int pixelCount, int channels)
    {
        var planes = new byte[(long)channels * pixelCount];
        for (int i = 0; i < pixelCount; i++)
        {
            byte r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
            if (channels == 1) planes[i] = Luma(r, g, b);
            else { planes[i] = r; planes[pixelCount + i] = g; planes[2 * pixelCount + i] = b; }
        }
        return planes;
    }

    /// <summary>
    /// Planar C×H×W uint8 → C×side×side as PIL's Image.resize((side, side), Image.BILINEAR) computes it (Pillow's
    /// libImaging/Resample.c; torchvision's Resize on a PIL image): a triangle filter widened by the shrink factor, its
    /// weights renormalized at the edges and held in 22-bit fixed point; the horizontal pass first, rounded to uint8,
    /// then the vertical one.
    /// </summary>
    public static byte[] Resize(byte[] planes, int channels, int height, int width, int side) =>
        Resize(planes, channels, height, width, side, side);

    /// <summary>The same to <paramref name="outHeight"/> × <paramref name="outWidth"/>: Image.resize((outWidth, outHeight), Image.BILINEAR).</summary>
    public static byte[] Resize(byte[] planes, int channels, int height, int width, int outHeight, int outWidth)
    {
        var output = new byte[channels * outHeight * outWidth];
        var horizontal = FilterWeights(width, outWidth);
        var vertical = FilterWeights(height, outHeight);
        var temp = new byte[height * outWidth];
        for (int c = 0; c < channels; c++)
        {
            int plane = c * height * width;
            if (width == outWidth) Array.Copy(planes, plane, temp, 0, height * width);
            else
                for (int y = 0; y < height; y++)
                for (int x = 0; x < outWidth; x++)
                    temp[y * outWidth + x] = horizontal.Apply(x, i => planes[plane + y * width + i]);
            for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
                output[(c * outHeight + y) * outWidth + x] = height == outHeight ? temp[y * outWidth + x] : vertical.Apply(y, i => temp[i * outWidth + x]);
        }
        return output;
    }

    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>For each output position, the first input index and the fixed-point weights of the inputs from there.</summary>
    private sealed record Weights(int[] First, int[][] Fixed)
    {
        public byte Apply(int output, Func<int, byte> input)
        {
            int sum = 1 << (PrecisionBits - 1);
            for (int k = 0; k < Fixed[output].Length; k++) sum += input(First[output] + k) * Fixed[output][k];
            return sum <= 0 ? (byte)0 : sum >= 1 << PrecisionBits << 8 ? (byte)255 : (byte)(sum >> PrecisionBits);
        }
    }

    /// <summary>Pillow's precompute_coeffs with its bilinear filter, then normalize_coeffs_8bpc.</summary>
    private static Weights FilterWeights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0), support = filterScale, step = 1.0 / filterScale;
        var first = new int[outSize];
        var weights = new int[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0), max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var w = new double[max];
            double total = 0;
            for (int k = 0; k < max; k++) total += w[k] = Math.Max(0, 1 - Math.Abs((k + min - center + 0.5) * step));
            first[o] = min;
            weights[o] = w.Select(v => total == 0 ? v : v / total)
                          .Select(v => (int)(v < 0 ? -0.5 + v * (1 << PrecisionBits) : 0.5 + v * (1 << PrecisionBits))).ToArray();
        }
        return new Weights(first, weights);
    }

    private static string Count(int n, string what) => $"{n:N0} {what}{(n == 1 ? "" : "s")}";
}

/// <summary>Why one image file could not be decoded (the caller names the file).</summary>
public sealed class ImageDecodeException(string reason) : Exception(reason);
