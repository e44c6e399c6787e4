using System.Globalization;
using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Metrics;
using Repro.Runs;
using Repro.Scores;
using Repro.Tests.Data;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.RunFiles;

/// <summary>
/// One real tiny finished unit (the quickstart's L2 row at width 8 on 256 Fashion-MNIST images, 2 epochs, scored on an
/// evenly spaced 1,000 of each test set: every 10th), trained by `repro run` in a child process as a user would, for the
/// `repro score` tests to score folders with.
/// </summary>
public sealed class ScoredUnitFixture : IDisposable
{
    private readonly TempDir temp = new();
    public string UnitDir => Path.Combine(temp.Path, "run", "l2", "seed-1");
    public string Temp => temp.Path;

    public ScoredUnitFixture()
    {
        var config = TinyRun.Config() with { TrainSubset = 256, TestSubset = 1000, Epochs = 2, Milestones = [1] };
        var configFile = Path.Combine(temp.Path, "tiny.json");
        File.WriteAllText(configFile, config.ToJson());
        using var run = ReproProcess.Start(["run", "--config", configFile, "--out", Path.Combine(temp.Path, "run")]);
        if (run.Wait(TimeSpan.FromMinutes(5)) != 0) throw new InvalidOperationException($"the unit did not train:\n{run.Output}");
    }

    public void Dispose() => temp.Dispose();
}

/// <summary>
/// `repro score UNIT --images DIR` (Runs/ImageScoring.cs, Cli/Verbs/ScoreVerb.cs) run as a child process: 1,000 real
/// MNIST digits written as PNG files score exactly as the unit's own MNIST evaluation scored the same digits, and the
/// folder's faults are named.
/// </summary>
[Collection(TorchCollection.Name)]
public class ScoreImagesTests(ScoredUnitFixture unit, ITestOutputHelper output) : IClassFixture<ScoredUnitFixture>
{
    private static (int Code, string Output) Score(params string[] args)
    {
        using var process = ReproProcess.Start(["score", .. args, "--device", "cpu"]);
        var code = process.Wait(TimeSpan.FromMinutes(5));
        return (code, process.Output);
    }

    [Fact]
    public void Digits_as_png_files_score_as_the_units_own_mnist_evaluation_of_the_same_digits()
    {
        // Every 10th MNIST test digit (the set is ordered by digit, so 100 of each) as an 8-bit grey PNG in <digit>/<index>.png:
        // the 1,000 the unit scored itself (testSubset), row r of its scores/mnist.csv being digit 10·r.
        var mnist = TinyRun.Data.Get("mnist", Split.Test);
        var indices = Enumerable.Range(0, 1000).Select(i => 10 * i).ToArray();
        var digits = Path.Combine(unit.Temp, "digits");
        const int side = 28 * 28;
        foreach (int i in indices)
            ImageFiles.WriteGrey(Path.Combine(digits, $"{mnist.Labels[i]}", $"{i:D5}.png"), mnist.Pixels[(i * side)..((i + 1) * side)], 28, 28);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, log) = Score(unit.UnitDir, "--images", digits);
        output.WriteLine($"repro score, 1,000 PNG files: {clock.Elapsed.TotalSeconds:F1} s wall\n{log}");
        Assert.True(code == 0, log);
        Assert.Contains("the ID test scores equal the unit's own scores/fashion-mnist.csv", log);

        var outDir = Path.Combine(unit.UnitDir, ImageScoring.ScoredFolder, "digits");
        var rows = ReadCsv(Path.Combine(outDir, ImageScoring.ScoresFile));
        var recorded = UnitFiles.ReadScores(unit.UnitDir, "mnist");
        Assert.Equal(indices.Length, rows.Count);
        Assert.Equal(indices.Length, recorded.Labels.Length);
        Assert.Equal(["path", "class", "label", "prediction", .. ScoreRegistry.Names], rows.Header);
        var worst = ScoreRegistry.Names.ToDictionary(n => n, _ => 0.0);
        for (int r = 0; r < rows.Count; r++)
        {
            int index = int.Parse(Path.GetFileNameWithoutExtension(rows[r, "path"]), CultureInfo.InvariantCulture);
            Assert.Equal(indices[r], index);                                         // the folder's order: by class, then name
            Assert.Equal($"{mnist.Labels[index]}/{index:D5}.png", rows[r, "path"]);
            Assert.Equal($"{mnist.Labels[index]}", rows[r, "class"]);
            Assert.Equal(recorded.Labels[r], long.Parse(rows[r, "label"], CultureInfo.InvariantCulture));   // folder "d" is class d
            Assert.Equal(recorded.Predictions[r], long.Parse(rows[r, "prediction"], CultureInfo.InvariantCulture));
            foreach (var name in ScoreRegistry.Names)
            {
                double mine = double.Parse(rows[r, name], CultureInfo.InvariantCulture), theirs = recorded.Scores[name][r];
                worst[name] = Math.Max(worst[name], Math.Abs(mine - theirs) / Math.Max(1, Math.Abs(theirs)));
            }
        }
        output.WriteLine("largest relative difference from scores/mnist.csv: " + string.Join(", ", worst.Select(kv => $"{kv.Key} {kv.Value:G3}")));
        // Same model, same normalization, same fits: equal up to the last bits of float64 sums over batches of other images.
        Assert.All(worst, kv => Assert.True(kv.Value <= 1e-9, $"{kv.Key}: relative difference {kv.Value:G3}"));

        // Each score's metrics against the ID test set are OodMetrics on the unit's own ID test scores and these digits' scores.
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, ImageScoring.SummaryFile)))!;
        var idTest = UnitFiles.ReadScores(unit.UnitDir, "fashion-mnist");
        Assert.Equal(1000, (int)summary["scored"]!);
        Assert.Equal("fashion-mnist/test", (string)summary["idTest"]!);
        Assert.Equal(1000, (int)summary["idTestCount"]!);   // the unit's own evenly spaced 1,000
        foreach (var name in ScoreRegistry.Names)
        {
            var expected = OodMetrics.Compute(idTest.Scores[name], recorded.Scores[name]);
            var metrics = summary["metrics"]![name]!;
            Assert.Equal(expected.Auroc, (double)metrics["auroc"]!, 1e-9);
            Assert.Equal(expected.Fpr95, (double)metrics["fpr95"]!, 1e-9);
            Assert.Equal(expected.Fpr95OodPositive!.Value, (double)metrics["fpr95OodPositive"]!, 1e-9);
            Assert.Equal(0, (double)summary["idTestMaxDifference"]![name]!);
            Assert.Contains($"{name} ", log);
        }
        Assert.Contains($"{(double)summary["metrics"]![FeatureNormScore.ScoreName]!["auroc"]!:F3}", log);

        // A finished output is never overwritten.
        var before = File.ReadAllBytes(Path.Combine(outDir, ImageScoring.ScoresFile));
        var (again, againLog) = Score(unit.UnitDir, "--images", digits);
        Assert.Equal(1, again);
        Assert.Contains($"{outDir} already holds a finished scoring", againLog);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(outDir, ImageScoring.ScoresFile)));
        // And the unit's folder is still found once, as one unit.
        Assert.Equal([unit.UnitDir], ResultsFolder.FinishedUnitDirs(Path.Combine(unit.Temp, "run")));
    }

    [Fact]
    public void Corrupt_files_are_skipped_and_counted_or_with_strict_refused_and_other_files_ignored()
    {
        var dir = Path.Combine(unit.Temp, "mixed");
        var fashion = TinyRun.Data.Get("fashion-mnist", Split.Test);
        for (int i = 0; i < 3; i++) ImageFiles.WriteGrey(Path.Combine(dir, $"img{i}.png"), fashion.Pixels[(i * 784)..((i + 1) * 784)], 28, 28);
        var png = ImageFiles.NoisyGreyPngBytes(64, 1);
        File.WriteAllBytes(Path.Combine(dir, "broken.png"), png[..(png.Length / 2)]);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");

        var strictOut = Path.Combine(unit.Temp, "mixed-strict");
        var (refused, refusedLog) = Score(unit.UnitDir, "--images", dir, "-o", strictOut, "--strict");
        Assert.Equal(1, refused);
        Assert.Contains($"error: {Path.Combine(dir, "broken.png")}: could not be decoded as Png (the file ends early: truncated)", refusedLog);
        Assert.False(Directory.Exists(strictOut));

        var outDir = Path.Combine(unit.Temp, "mixed-out");
        var (code, log) = Score(unit.UnitDir, "--images", dir, "-o", outDir);
        Assert.True(code == 0, log);
        Assert.Contains($"skipped {Path.Combine(dir, "broken.png")}: could not be decoded as Png", log);
        Assert.Contains("skipped 1 of 4 PNG/JPEG files", log);
        Assert.Contains("ignored 1 file that is not .png, .jpg or .jpeg", log);
        var rows = ReadCsv(Path.Combine(outDir, ImageScoring.ScoresFile));
        Assert.Equal(["img0.png", "img1.png", "img2.png"], Enumerable.Range(0, rows.Count).Select(r => rows[r, "path"]));
        Assert.All(Enumerable.Range(0, rows.Count), r => Assert.Equal(("", "-1"), (rows[r, "class"], rows[r, "label"])));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, ImageScoring.SummaryFile)))!;
        Assert.Equal("broken.png", (string)summary["skipped"]![0]!["path"]!);
        Assert.Equal((3, 4, 1), ((int)summary["scored"]!, (int)summary["imageFiles"]!, (int)summary["ignored"]!));
    }

    [Fact]
    public void A_missing_or_empty_folder_or_a_unit_that_is_not_finished_is_one_clear_error()
    {
        var missing = Path.Combine(unit.Temp, "no-such-folder");
        var (code, log) = Score(unit.UnitDir, "--images", missing);
        Assert.Equal(1, code);
        Assert.Equal($"error: image folder {missing} does not exist", log.Trim());

        var empty = Path.Combine(unit.Temp, "empty");
        Directory.CreateDirectory(empty);
        (code, log) = Score(unit.UnitDir, "--images", empty);
        Assert.Equal(1, code);
        Assert.Equal($"error: image folder {empty} is empty", log.Trim());

        (code, log) = Score(unit.Temp, "--images", empty);
        Assert.Equal(1, code);
        Assert.Contains("is not a finished unit", log);
    }

    /// <summary>
    /// Permissions, as a user without root's override sees them: `unshare --user` drops it (files owned by root are then
    /// judged by their owner bits only). A folder that cannot be listed and a file that cannot be read are skipped and
    /// named; the readable image is scored; --strict refuses the folder naming the first.
    /// </summary>
    [Fact]
    public void An_unlistable_folder_and_an_unreadable_image_are_skipped_and_named_without_root_privileges()
    {
        var images = Path.Combine(unit.Temp, "permissions");
        ImageFiles.WriteGrey(Path.Combine(images, "good.png"), new byte[784], 28, 28);
        ImageFiles.WriteGrey(Path.Combine(images, "locked.png"), new byte[784], 28, 28);
        ImageFiles.WriteGrey(Path.Combine(images, "closed", "inside.png"), new byte[784], 28, 28);
        File.SetUnixFileMode(Path.Combine(images, "locked.png"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(images, "closed"), UnixFileMode.None);
        try
        {
            (int, string) Unprivileged(params string[] args)
            {
                using var process = ReproProcess.StartCommand("unshare", ["--user", "dotnet", "exec", ReproProcess.Dll, "score", unit.UnitDir,
                    "--images", images, "--device", "cpu", .. args]);
                return (process.Wait(TimeSpan.FromMinutes(5)), process.Output);
            }
            var (code, log) = Unprivileged("-o", Path.Combine(unit.Temp, "permissions-out"));
            Assert.True(code == 0, log);
            Assert.Contains($"skipped {Path.Combine(images, "closed/")}: a folder that cannot be listed", log);
            Assert.Contains($"skipped {Path.Combine(images, "locked.png")}: cannot be read", log);
            Assert.Equal(["good.png"], ReadCsv(Path.Combine(unit.Temp, "permissions-out", ImageScoring.ScoresFile)).Rows.Select(r => r[0]));

            (code, log) = Unprivileged("-o", Path.Combine(unit.Temp, "permissions-strict"), "--strict");
            Assert.Equal(1, code);
            Assert.Contains("error: ", log);
            Assert.Contains("(strict: ", log);
        }
        finally
        {
            File.SetUnixFileMode(Path.Combine(images, "closed"), (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.Combine(images, "locked.png"), (UnixFileMode)0b110_100_100);
        }
    }

    [Fact]
    public void Data_other_than_the_units_own_is_refused()
    {
        // A copy of the unit whose record says it trained on other Fashion-MNIST bytes: its fitted scores cannot be refitted here.
        var copy = Path.Combine(unit.Temp, "other-data", "l2", "seed-1");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(unit.UnitDir)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var metrics = Path.Combine(copy, UnitFiles.Metrics);
        var recorded = TinyRun.Data.Get("fashion-mnist", Split.Train).ContentHash();
        File.WriteAllText(metrics, File.ReadAllText(metrics).Replace(recorded, new string('0', 64)));
        var images = Path.Combine(unit.Temp, "one");
        ImageFiles.WriteGrey(Path.Combine(images, "a.png"), new byte[784], 28, 28);

        var (code, log) = Score(copy, "--images", images);
        Assert.Equal(1, code);
        Assert.Contains($"error: fashion-mnist/train here (SHA-256 {recorded[..12]}…) is not the data the unit {copy} was made with (000000000000…)", log);
    }

    /// <summary>scores.csv as cells by row and column name (its paths here hold no commas, so no quoting to undo).</summary>
    private static Csv ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        return new Csv(lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToList());
    }

    private sealed record Csv(string[] Header, List<string[]> Rows)
    {
        public int Count => Rows.Count;
        public string this[int row, string column] => Rows[row][Array.IndexOf(Header, column)];
    }
}
