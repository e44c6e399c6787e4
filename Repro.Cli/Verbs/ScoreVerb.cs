using Repro.Cli.Tables;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Scores;

namespace Repro.Cli.Verbs;

/// <summary>`repro score UNIT --images DIR`: a user's PNG/JPEG images through a finished unit's model, every registered score.</summary>
internal static class ScoreVerb
{
    public static Command Create()
    {
        var unit = new Argument<string>("UNIT") { Description = "a finished unit's folder, <results>/<row>/seed-<n>" };
        var images = CommonOptions.RequiredPath("--images", "DIR",
            "a folder of PNG/JPEG images, searched recursively; images in a subfolder get its name as their class (sorted names → 0..n−1)");
        var output = new Option<string?>("--out", "-o") { Description = "the output folder (default UNIT/scored/<DIR's name>)", HelpName = "DIR" };
        var strict = new Option<bool>("--strict") { Description = "refuse the folder if any PNG/JPEG cannot be decoded (default: skip it and name it)" };
        var device = CommonOptions.Device();
        var command = new Command("score",
            "score your own images with a finished unit's model: every registered score per image (scores.csv), and each score's " +
            "AUROC/FPR95 against the unit's in-distribution test set (summary.json)") { unit, images, output, strict, device };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var unitDir = parse.GetRequiredValue(unit);
            var imagesDir = parse.GetRequiredValue(images);
            var result = ImageScoring.Run(unitDir, imagesDir, parse.GetValue(output), new DataSets(), parse.GetValue(device) ?? "auto",
                parse.GetValue(strict), Console.WriteLine);
            Console.Write(Format(result, imagesDir));
            Console.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"results: {Path.Combine(result.OutDir, ImageScoring.ScoresFile)}, {Path.Combine(result.OutDir, ImageScoring.SummaryFile)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The skipped files, the counts, and the table of every score against the ID test set.</summary>
    public static string Format(ImageScores result, string imagesDir)
    {
        var sb = new StringBuilder();
        var folder = result.Folder;
        foreach (var s in folder.Skipped) sb.AppendLine($"skipped {Path.Combine(imagesDir, s.Path)}: {s.Reason}");
        if (folder.Skipped.Count > 0)
            sb.AppendLine($"skipped {folder.Skipped.Count:N0} of {folder.Candidates:N0} PNG/JPEG files (named above; --strict refuses instead)");
        if (folder.Ignored > 0)
            sb.AppendLine($"ignored {folder.Ignored:N0} {(folder.Ignored == 1 ? "file that is" : "files that are")} not .png, .jpg or .jpeg");
        var labelled = folder.Images.Labels.Count(l => l >= 0);
        sb.AppendLine($"scored {folder.Images.Count:N0} images" +
                      (folder.Classes.Count > 0 ? $" ({labelled:N0} in {folder.Classes.Count} class folders)" : "") +
                      $" against {result.IdTest.DataSet} test ({result.IdTest.Labels.Length:N0} images), higher score = more in-distribution:");
        TextTable.Append(sb, ["score", "AUROC", "FPR95 ID+", "FPR95 OoD+", "median (images)", "median (ID test)"],
            ScoreRegistry.Names.Select(n => (IReadOnlyList<string>)
            [
                n, $"{result.Metrics[n].Auroc:F3}", $"{result.Metrics[n].Fpr95:F3}", $"{result.Metrics[n].Fpr95OodPositive:F3}",
                Median(result.Images.Scores[n]).ToString("G4"), Median(result.IdTest.Scores[n]).ToString("G4"),
            ]));
        sb.AppendLine("AUROC: the chance an ID test image scores above one of these (0.5: indistinguishable; 1: all below every ID test image). " +
                      "FPR95 ID+: share of these images above the score that keeps 95% of ID test images; OoD+: share of ID test images flagged when 95% of these are.");
        return sb.ToString();
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
