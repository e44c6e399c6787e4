using System.Security.Cryptography;
using System.Text;
using Repro.Cli;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Data;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>Two finished tiny units (l2 seeds 0 and 1), trained once for the folder fuzzers to damage copies of.</summary>
public sealed class TinyResults : IDisposable
{
    private readonly TempDir temp = new();
    public string Dir => Path.Combine(temp.Path, "results");

    public TinyResults()
    {
        var experiment = new Experiment("tiny", "two tiny units", [TinyRun.Config() with { TrainSubset = 64, TestSubset = 100 }], [0, 1]);
        var outcome = ExperimentRunner.Run(experiment, Dir, TinyRun.Data, _ => Repro.Training.IProgressSink.Silent, _ => { });
        if (outcome.Finished.Count != 2) throw new InvalidOperationException("the tiny units did not finish");
    }

    public void Dispose() => temp.Dispose();
}

/// <summary>
/// Seeded fuzzing of the folders a user hands over (issue 28): image folders for `repro score` (names, links, loops,
/// sizes, broken files), results folders being merged or reported (damaged metrics, configs, scores, weights,
/// checkpoints, manifests; misfiled units; links in and out), and the command line's verbs on them. Every case must
/// end in a correct result or one clear error, never write outside the folder it was given, never change its
/// sources, and never lose a finished unit. REPRO_FUZZ_SEED and REPRO_FUZZ_SCALE run longer searches.
/// </summary>
[Collection(TorchCollection.Name)]
public class FolderFuzzTests(TinyResults tiny, ITestOutputHelper output) : IClassFixture<TinyResults>
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("REPRO_FUZZ_SEED"), out var s) ? s : 20261203;
    private static int Cases(int count) => count * (int.TryParse(Environment.GetEnvironmentVariable("REPRO_FUZZ_SCALE"), out var k) && k > 0 ? k : 1);

    // ------------------------------------------------------------------------------------------------ image folders

    private enum Kind { Png, Jpeg, Truncated, Empty, TextAsImage, Other, Huge }

    private sealed record FileNode(int Id, Kind Kind)
    {
        public bool ImageName => Kind != Kind.Other;
        public bool Valid => Kind is Kind.Png or Kind.Jpeg;
    }

    /// <summary>
    /// Random trees of folders, good and broken images, other files and links (to files of the same kind of name, to
    /// any folder — a parent makes a loop — to a folder outside, and to nothing), each checked against a count made
    /// from the tree as it was built: every real image read once, every broken image file skipped once, or one clear
    /// error when none decodes.
    /// </summary>
    [Fact]
    public void Image_folders_give_each_real_image_once_or_one_clear_error()
    {
        using var temp = new TempDir();
        var random = new Random(Seed + 10);
        var findings = new List<string>();
        int cases = Cases(150), accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var caseDir = Path.Combine(temp.Path, $"case-{i}");
            var root = Directory.CreateDirectory(Path.Combine(caseDir, "images")).FullName;
            var elsewhere = Directory.CreateDirectory(Path.Combine(caseDir, "elsewhere")).FullName;
            var (expectedImages, expectedSkipped, what) = BuildImageTree(r, root, elsewhere);
            var label = $"case {i} (seed {seed}): {what}";
            try
            {
                var load = Task.Run(() => ImageFolder.Load(root, 1, 28));
                if (!load.Wait(TimeSpan.FromSeconds(20))) { findings.Add($"{label}: no answer in 20 s"); continue; }
                var folder = load.Result;
                accepted++;
                if (folder.Images.Count != expectedImages || folder.Skipped.Count != expectedSkipped || folder.Paths.Distinct().Count() != folder.Paths.Count)
                    findings.Add($"{label}: read {folder.Images.Count} images and skipped {folder.Skipped.Count} " +
                                 $"({string.Join("; ", folder.Skipped.Select(x => $"{x.Path}: {x.Reason}"))}), expected {expectedImages} and {expectedSkipped}");
            }
            catch (AggregateException e) when (e.InnerException is { } inner)
            {
                if (ConfigFuzzTests.Unclear(inner) is { } why) findings.Add($"{label}: {why}");
                else if (expectedImages > 0) findings.Add($"{label}: refused ({inner.Message}) with {expectedImages} readable images");
            }
        }
        ConfigFuzzTests.Report(output, "image folders", cases, accepted, findings);
    }

    private static (int Images, int Skipped, string What) BuildImageTree(Random r, string root, string elsewhere)
    {
        var folders = new List<(string Path, int Id)> { (root, 0) };
        var links = new List<(int From, int To)>();          // folder → folder, followed
        var contents = new Dictionary<int, List<FileNode>> { [0] = [], [-1] = [] };
        var danglingImages = new Dictionary<int, int>();     // folder → image-named links to nothing
        var files = new List<(string Path, FileNode Node)>();
        int nextId = 1;
        var what = new StringBuilder();
        // One good image outside the tree, reached only through links to it.
        var outsideImage = new FileNode(nextId++, Kind.Png);
        ImageFiles.WriteGrey(Path.Combine(elsewhere, "o.png"), new byte[9], 3, 3);
        contents[-1].Add(outsideImage);
        files.Add((Path.Combine(elsewhere, "o.png"), outsideImage));

        string FreshName(string folder, string extension)
        {
            string name;
            do name = Nasty.Name(r).Replace("/", "").Replace("\0", "") is { Length: > 0 and < 200 } n && n is not ("." or "..") ? n + extension : $"f{r.Next(1000)}{extension}";
            while (File.Exists(Path.Combine(folder, name)) || Directory.Exists(Path.Combine(folder, name)) || new FileInfo(Path.Combine(folder, name)).LinkTarget is not null);
            return name;
        }
        string ImageExtension() => new[] { ".png", ".PNG", ".jpg", ".jpeg", ".JpEg" }[r.Next(5)];

        for (int n = 3 + r.Next(12); n > 0; n--)
        {
            var (parent, parentId) = folders[r.Next(folders.Count)];
            switch (r.Next(13))
            {
                case 0 or 1:
                {
                    var path = Path.Combine(parent, FreshName(parent, ""));
                    Directory.CreateDirectory(path);
                    folders.Add((path, nextId));
                    contents[nextId] = [];
                    links.Add((parentId, nextId++));
                    what.Append("folder; ");
                    break;
                }
                case 2 or 3 or 4 or 5 or 6 or 7 or 8:
                {
                    var kind = (Kind)r.Next(7);
                    var path = Path.Combine(parent, FreshName(parent, kind == Kind.Other ? new[] { ".txt", ".npy", "" }[r.Next(3)] : ImageExtension()));
                    int side = 1 + r.Next(40);
                    var pixels = new byte[side * side];
                    r.NextBytes(pixels);
                    switch (kind)
                    {
                        case Kind.Png: ImageFiles.WriteGrey(path, pixels, side, side); break;
                        case Kind.Jpeg: ImageFiles.WriteGrey(path, pixels, side, side, SkiaSharp.SKEncodedImageFormat.Jpeg); break;
                        case Kind.Truncated: File.WriteAllBytes(path, ImageFiles.NoisyGreyPngBytes(8, r.Next())[..30]); break;
                        case Kind.Empty: File.WriteAllBytes(path, []); break;
                        case Kind.Huge: File.WriteAllBytes(path, HugePngHeader()); break;
                        default: File.WriteAllText(path, "not an image"); break;
                    }
                    var node = new FileNode(nextId++, kind);
                    contents[parentId].Add(node);
                    files.Add((path, node));
                    what.Append($"{kind}; ");
                    break;
                }
                case 9 or 10 when files.Count > 0:
                {
                    // A second name for a file, with the same kind of name (image or not), so whether it counts never
                    // depends on which name the walk meets first.
                    var (target, node) = files[r.Next(files.Count)];
                    var path = Path.Combine(parent, FreshName(parent, node.ImageName ? ImageExtension() : ".txt"));
                    File.CreateSymbolicLink(path, target);
                    contents[parentId].Add(node);
                    what.Append("file link; ");
                    break;
                }
                case 11:
                {
                    int to = r.Next(4) == 0 ? -1 : folders[r.Next(folders.Count)].Id;
                    var path = Path.Combine(parent, FreshName(parent, ""));
                    Directory.CreateSymbolicLink(path, to == -1 ? elsewhere : folders.First(f => f.Id == to).Path);
                    links.Add((parentId, to));
                    what.Append(to == -1 ? "link outside; " : "folder link; ");
                    break;
                }
                default:
                {
                    File.CreateSymbolicLink(Path.Combine(parent, FreshName(parent, ImageExtension())), Path.Combine(parent, "no-such-file"));
                    danglingImages[parentId] = danglingImages.GetValueOrDefault(parentId) + 1;
                    what.Append("dangling link; ");
                    break;
                }
            }
        }
        // What is reachable from the root, each folder and each file once.
        var reached = new HashSet<int> { 0 };
        var queue = new Queue<int>([0]);
        while (queue.Count > 0)
        {
            var from = queue.Dequeue();
            foreach (var (f, to) in links)
                if (f == from && reached.Add(to)) queue.Enqueue(to);
        }
        var reachedFiles = reached.SelectMany(f => contents[f]).DistinctBy(f => f.Id).ToList();
        int images = reachedFiles.Count(f => f.Valid);
        int skipped = reachedFiles.Count(f => f.ImageName && !f.Valid) + reached.Sum(f => danglingImages.GetValueOrDefault(f));
        return (images, skipped, what.ToString().TrimEnd(' ', ';'));
    }

    /// <summary>A PNG whose header claims 100,000 × 100,000 pixels, with no data: refused before decoding.</summary>
    private static byte[] HugePngHeader()
    {
        var png = ImageFiles.NoisyGreyPngBytes(4, 1);
        var copy = png.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), 100_000);
        return copy;
    }

    // ------------------------------------------------------------------------------------------------ results folders

    /// <summary>
    /// A copy of two finished units, damaged one to three ways, merged into a folder that already holds one of them,
    /// then read back and reported: the merge ends in one clear error or a merged folder that reads back whole; the
    /// folder's own unit and every source file stay as they were; nothing outside the merged folder changes.
    /// </summary>
    [Fact]
    public void Damaged_results_merge_and_report_or_fail_clearly_and_nothing_else_changes()
    {
        using var temp = new TempDir();
        var random = new Random(Seed + 11);
        var findings = new List<string>();
        int cases = Cases(100), accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var caseDir = Path.Combine(temp.Path, $"case-{i}");
            var source = Path.Combine(caseDir, "source");
            var into = Path.Combine(caseDir, "into");
            var outside = Directory.CreateDirectory(Path.Combine(caseDir, "outside")).FullName;
            File.WriteAllText(Path.Combine(outside, "keep.txt"), "sentinel");
            ContainmentTests.CopyTree(tiny.Dir, source);
            Directory.CreateDirectory(Path.Combine(into, "l2"));
            ContainmentTests.CopyTree(Path.Combine(tiny.Dir, "l2", "seed-1"), Path.Combine(into, "l2", "seed-1"));
            var what = string.Join("; ", Enumerable.Range(0, 1 + r.Next(3)).Select(_ => DamageResults(r, source, into, outside)));
            var kept = Tree(Path.Combine(into, "l2", "seed-1"));
            var before = Tree(caseDir, except: into);
            var label = $"case {i} (seed {seed}): {what}";
            try
            {
                ResultsMerge.Merge(into, [source], _ => { });
                accepted++;
                try { ResultsFolder.FindFinished(into); }
                catch (Exception e) { findings.Add($"{label}: merged, but the merged folder does not read back: {e.GetType().Name}: {e.Message}"); }
            }
            catch (Exception e) when (ConfigFuzzTests.Unclear(e) is { } why) { findings.Add($"{label}: merge: {why}"); }
            catch (ReproException) { }
            if (i % 3 == 0)
            {
                var report = Path.Combine(into, "fuzz-report.html");
                try { Reporting.HtmlReport.Write(source, report, null, null); }
                catch (Exception e) when (ConfigFuzzTests.Unclear(e) is { } why) { findings.Add($"{label}: report: {why}"); }
                catch (ReproException) { }
            }
            if (!Tree(Path.Combine(into, "l2", "seed-1")).SequenceEqual(kept)) findings.Add($"{label}: the merged folder's own finished unit changed");
            if (Difference(before, Tree(caseDir, except: into)) is { } changed) findings.Add($"{label}: {changed} changed outside the merged folder");
        }
        ConfigFuzzTests.Report(output, "results folders (merge, report)", cases, accepted, findings);
    }

    private static string DamageResults(Random r, string source, string into, string outside)
    {
        var units = Directory.GetDirectories(Path.Combine(source, "l2")).Order(StringComparer.Ordinal).ToList();
        var unit = units.Count > 0 ? units[r.Next(units.Count)] : source;
        var files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        switch (r.Next(9))
        {
            case 0 or 1 or 2 when files.Count > 0:
            {
                var file = files[r.Next(files.Count)];
                var bytes = File.ReadAllBytes(file);
                var damaged = r.Next(6) switch
                {
                    0 => bytes[..r.Next(bytes.Length + 1)],
                    1 => bytes.Select(b => r.Next(50) == 0 ? (byte)r.Next(256) : b).ToArray(),
                    2 => "null"u8.ToArray(),
                    3 => "{}"u8.ToArray(),
                    4 => Encoding.UTF8.GetBytes(Nasty.Json(r)?.ToJsonString() ?? "null"),
                    _ => [],
                };
                File.WriteAllBytes(file, damaged);
                return $"{Path.GetRelativePath(source, file)} damaged to {damaged.Length} bytes";
            }
            case 3 when units.Count > 0:
            {
                var name = r.Next(2) == 0 ? $"seed-{r.Next(-1, 9)}" : Nasty.Name(r).Replace("/", "").Replace("\0", "");
                var to = Path.Combine(source, "l2", name);
                if (name is "" or "." or ".." || Encoding.UTF8.GetByteCount(name) > 200 || Directory.Exists(to) || File.Exists(to)) return "no rename";
                Directory.Move(unit, to);
                return $"{Path.GetFileName(unit)} renamed to '{name}'";
            }
            case 4 when units.Count > 0:
            {
                var config = Path.Combine(unit, UnitFiles.Config);
                if (!File.Exists(config)) return "no config to edit";
                var text = File.ReadAllText(config);
                var edited = r.Next(2) == 0 ? text.Replace("\"row\": \"l2\"", $"\"row\": \"{Nasty.Name(r).Replace("\\", "").Replace("\"", "")}\"")
                    : System.Text.RegularExpressions.Regex.Replace(text, "\"seed\": \\d+", $"\"seed\": {r.Next(-2, 9)}");
                File.WriteAllText(config, edited);
                return $"{Path.GetFileName(unit)}'s config row or seed edited";
            }
            case 5 when files.Count > 0:
            {
                var file = files[r.Next(files.Count)];
                File.Delete(file);
                File.CreateSymbolicLink(file, Path.Combine(outside, "keep.txt"));
                return $"{Path.GetRelativePath(source, file)} made a link outside";
            }
            case 6 when units.Count > 0 && File.Exists(Path.Combine(unit, UnitFiles.Config)) && File.Exists(Path.Combine(unit, UnitFiles.Metrics)):
            {
                // A whole second row, consistent in itself, whose folder in the merged folder is a link outside — or
                // whose merge staging folder, left by a killed merge, is.
                var row = $"l2b{r.Next(100)}";
                if (Directory.Exists(Path.Combine(source, row))) return "no second row";
                var moved = Path.Combine(source, row, Path.GetFileName(unit));
                Directory.CreateDirectory(Path.Combine(source, row));
                ContainmentTests.CopyTree(unit, moved);
                foreach (var file in new[] { UnitFiles.Config, UnitFiles.Metrics })
                    File.WriteAllText(Path.Combine(moved, file), File.ReadAllText(Path.Combine(moved, file)).Replace("\"row\": \"l2\"", $"\"row\": \"{row}\""));
                if (r.Next(2) == 0)
                {
                    Directory.CreateSymbolicLink(Path.Combine(into, row), outside);
                    return $"a second row {row} whose merged folder is a link outside";
                }
                Directory.CreateDirectory(Path.Combine(into, row));
                Directory.CreateSymbolicLink(Path.Combine(into, row, Path.GetFileName(unit) + ".merging"), outside);
                return $"a second row {row} whose stale merge staging folder is a link outside";
            }
            case 7:
            {
                var partial = Directory.CreateDirectory(Path.Combine(source, "l2", $"seed-{r.Next(2, 9)}.partial", "checkpoint")).FullName;
                File.WriteAllText(Path.Combine(partial, "latest"), Nasty.Text(r));
                return "an unfinished unit with a damaged checkpoint";
            }
            default:
            {
                var failure = Path.Combine(unit, UnitFailure.FileName);
                File.WriteAllText(failure, r.Next(2) == 0 ? "{\"row\": \"l2\"}" : Nasty.Json(r)?.ToJsonString() ?? "null");
                if (r.Next(2) == 0 && File.Exists(Path.Combine(unit, UnitFiles.Metrics))) File.Delete(Path.Combine(unit, UnitFiles.Metrics));
                return $"{Path.GetFileName(unit)} given a failure record";
            }
        }
    }

    /// <summary>Every entry under a folder (links as links, never followed) with what it holds: a file's SHA-256, a link's target.</summary>
    internal static SortedDictionary<string, string> Tree(string dir, string? except = null)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>([dir]);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
            {
                if (except is not null && Path.GetFullPath(entry) == Path.GetFullPath(except)) continue;
                var info = new FileInfo(entry);
                var key = Path.GetRelativePath(dir, entry);
                if (info.LinkTarget is { } target) entries[key] = $"-> {target}";
                else if (Directory.Exists(entry)) { entries[key] = "folder"; pending.Push(entry); }
                else entries[key] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)));
            }
        }
        return entries;
    }

    private static string? Difference(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        var changed = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Take(3).ToList();
        return changed.Count == 0 ? null : string.Join(", ", changed);
    }

    // ------------------------------------------------------------------------------------------------ the verbs on them

    /// <summary>
    /// `repro table`, `report`, `merge`, `compare`, `export`, `definitions` and `bench --timings` run in process with
    /// arguments drawn from real, damaged, missing and linked folders and files and from the nasty values: each ends
    /// with exit 0, or 1/2/4 and an error saying what (never "unexpected"); nothing outside the case's folder changes,
    /// the units it was given stay as they were.
    /// </summary>
    [Fact]
    public void Verbs_on_real_and_damaged_folders_end_in_a_result_or_one_clear_error()
    {
        using var temp = new TempDir();
        var random = new Random(Seed + 12);
        var findings = new List<string>();
        int cases = Cases(120), accepted = 0;
        var repo = DataPaths.RepositoryRoot()!;
        for (int i = 0; i < cases; i++)
        {
            int seed = random.Next();
            var r = new Random(seed);
            var caseDir = Path.Combine(temp.Path, $"case-{i}");
            var results = Path.Combine(caseDir, "results");
            ContainmentTests.CopyTree(tiny.Dir, results);
            if (r.Next(2) == 0) DamageResults(r, results, Path.Combine(caseDir, "scratch"), Directory.CreateDirectory(Path.Combine(caseDir, "scratch")).FullName);
            var fresh = Path.Combine(caseDir, "fresh");
            string[] paths =
            [
                results, Path.Combine(results, "l2", "seed-0"), Path.Combine(results, "l2", "seed-1"), Path.Combine(results, "experiment.json"),
                Path.Combine(caseDir, "missing"), fresh, Path.Combine(fresh, "x.html"), Path.Combine(fresh, "w.pt"),
                Path.Combine(repo, "experiments", "fmnist.json"), Path.Combine(repo, "experiments", "fmnist.bands.json"),
                Path.Combine(repo, "artifacts", "gpu", "2026-11-28-h200", "torchsharp.json"), "", ".", Nasty.Name(r),
            ];
            string P() => paths[r.Next(paths.Length)];
            string V() => r.Next(3) == 0 ? Nasty.Text(r) : P();
            var args = r.Next(7) switch
            {
                0 => new List<string> { "table", "--definition", P(), "--from", P() },
                1 => ["report", P(), "-o", Path.Combine(fresh, "r.html"), .. r.Next(2) == 0 ? new[] { "--definition", P() } : []],
                2 => ["merge", "--into", fresh, P(), .. r.Next(2) == 0 ? new[] { P() } : []],
                3 => ["compare", P(), P(), .. r.Next(2) == 0 ? new[] { "--equivalence", V() } : [], .. r.Next(2) == 0 ? new[] { "--repeat", $"{P()},{P()}" } : []],
                4 => ["export", P(), "-o", Path.Combine(fresh, $"w{r.Next(3)}.{(r.Next(2) == 0 ? "pt" : "safetensors")}"), "--format", r.Next(4) == 0 ? V() : "safetensors"],
                5 => ["bench", "--timings", P(), "--project", "--definition", P()],
                _ => ["definitions"],
            };
            var given = Tree(Path.Combine(tiny.Dir));
            var before = Tree(caseDir, except: fresh);
            var label = $"case {i} (seed {seed}): repro {string.Join(' ', args.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a))}";
            var (code, error) = InProcess(args.ToArray());
            if (code == 0) accepted++;
            if (code is not (0 or 1 or 2 or 4) || error.Contains("(unexpected"))
                findings.Add($"{label}: exit {code}: {error.Split('\n').FirstOrDefault()}");
            else if (code != 0 && error.Trim().Length == 0)
                findings.Add($"{label}: exit {code} with nothing said");
            if (Difference(before, Tree(caseDir, except: fresh)) is { } changed) findings.Add($"{label}: {changed} changed outside the output folder");
            if (Difference(given, Tree(tiny.Dir)) is { } lost) findings.Add($"{label}: the fixture's {lost} changed");
        }
        ConfigFuzzTests.Report(output, "verbs on folders (table, report, merge, compare, export, bench --timings, definitions)", cases, accepted, findings);
    }

    /// <summary>One command line through <see cref="ReproCommand.Run"/> with standard output and error captured.</summary>
    private static (int Code, string Error) InProcess(string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var error = new StringWriter();
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(error);
            return (ReproCommand.Run(args), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
