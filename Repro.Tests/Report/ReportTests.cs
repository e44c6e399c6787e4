using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Repro.Experiments;
using Repro.Reporting;
using Repro.Runs;
using Repro.Training;
using Snapshooter.Xunit3;
using Xunit;

namespace Repro.Tests.Report;

/// <summary>The report from results on disk: its data model and table as snapshots, and the page as a self-contained document.</summary>
public class ReportTests
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static (ReportModel Model, string Html) Report(ReportFixture fixture, bool withDefinition = true)
    {
        var (model, inputs) = ReportModel.Build(fixture.Results, withDefinition ? fixture.DefinitionFile : null,
            withDefinition ? fixture.BandsFile : null, repositoryRoot: fixture.Root);
        return (model, HtmlReport.Render(model, inputs, Generated, "test"));
    }

    [Fact]
    public void Data_model_snapshot()
    {
        using var fixture = new ReportFixture();
        var (model, _) = Report(fixture);
        // Folder paths differ per run: the snapshot keeps what is after the results folder.
        var json = JsonSerializer.Serialize(model, JsonFiles.Options).Replace(fixture.Results + "/", "");
        Snapshot.Match(JsonDocument.Parse(json).RootElement.ToString().Split('\n'));
    }

    [Fact]
    public void Table_section_snapshot()
    {
        using var fixture = new ReportFixture();
        var (_, html) = Report(fixture);
        // Kept for a person to look at: the paper-shaped table with bands, claims, missing and in-progress units.
        var review = Path.Combine(Repro.Data.DataPaths.RepositoryRoot() ?? Path.GetTempPath(), "TestResults");
        Directory.CreateDirectory(review);
        File.WriteAllText(Path.Combine(review, "report-fixture.html"), html);
        var table = Parse(html).Descendants("section").Single(s => (string?)s.Attribute("id") == "table");
        Snapshot.Match(table.ToString().Split('\n'));
    }

    [Fact]
    public void Html_is_well_formed_and_references_nothing_outside_itself()
    {
        using var fixture = new ReportFixture();
        var (_, html) = Report(fixture);
        var doc = Parse(html);
        Assert.Empty(doc.Descendants("script"));
        Assert.Empty(doc.Descendants("link"));
        Assert.Empty(doc.Descendants("iframe"));
        foreach (var attribute in doc.Descendants().Attributes().Where(a => a.Name.LocalName is "src" or "href" or "srcset" or "action"))
            Assert.True(attribute.Value.StartsWith("data:") || attribute.Value.StartsWith('#'),
                $"<{attribute.Parent!.Name}> {attribute.Name}=\"{attribute.Value[..Math.Min(60, attribute.Value.Length)]}\" points outside the page");
        Assert.DoesNotContain("url(", string.Concat(doc.Descendants("style").Select(s => s.Value)));
        // Every figure is an SVG that parses, has a size, and itself loads nothing (no xlink:href / href to a URL).
        var images = doc.Descendants("img").ToList();
        Assert.Equal(2 + 2 * 2 + 2 + 3, images.Count);   // seeds ×2 OoD sets, ‖z‖ L2|No-L2 ×2, ROC ×2, curves ×3
        foreach (var img in images)
        {
            var src = (string)img.Attribute("src")!;
            Assert.StartsWith("data:image/svg+xml;base64,", src);
            var svg = XDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(src["data:image/svg+xml;base64,".Length..]))).Root!;
            Assert.Equal("svg", svg.Name.LocalName);
            Assert.True((int)svg.Attribute("width")! > 0 && (int)svg.Attribute("height")! > 0);
            Assert.DoesNotContain(svg.Descendants().Attributes(), a => a.Name.LocalName == "href" && !a.Value.StartsWith('#'));
            Assert.False(string.IsNullOrWhiteSpace((string?)img.Attribute("alt")));
        }
    }

    [Fact]
    public void Partial_results_say_what_is_missing()
    {
        using var fixture = new ReportFixture();
        var (model, html) = Report(fixture);
        Assert.Equal((9, 7), (model.UnitsPlanned, model.UnitsFinished));
        Assert.Contains("no-l2 seed 2: not run", model.Missing);
        Assert.Contains("logitnorm seed 1: in progress (checkpoint after epoch 2)", model.Missing);
        Assert.Contains("no-l2 seed 2: not run", html);
        var noL2 = model.Table.Single(t => t.Row == "no-l2");
        Assert.Equal(2, noL2.SeedsFinished);
    }

    [Fact]
    public void Complete_results_report_nothing_missing_and_claims_are_judged()
    {
        using var fixture = new ReportFixture(complete: true);
        var (model, html) = Report(fixture);
        Assert.Empty(model.Missing);
        Assert.Contains("Nothing: every planned unit has finished", html);
        var claim = Assert.Single(model.Claims);
        Assert.Equal(Verdict.Within, claim.Verdict);   // l2 is separated by construction, no-l2 barely
        Assert.StartsWith("supported: one-sided paired t over seeds 0–2 (n = 3), difference +", claim.Judgement);
        Assert.StartsWith("one seed's AUROC from its test sets alone ±", claim.Statistics);   // DeLong beside the test
        Assert.Contains(Parse(html).Descendants("li"), li => li.Value.Contains($"; {claim.Judgement}; {claim.Statistics}"));
        // The row × score grid: every registered score on every row, the row's own score marked, the mean's seed and test-set intervals.
        Assert.Equal(model.OodSets.Count * Repro.Scores.ScoreRegistry.Names.Count, model.ScoreGrid.Count);
        var l2Norm = model.ScoreGrid.Single(l => l.OodSet == "mnist" && l.Score == "feature_norm").Cells.Single(c => c.Row == model.Table.Single(t => t.Row == "l2").Label);
        Assert.True(l2Norm.Own);
        Assert.NotNull(l2Norm.MeanSeedHalfWidth);
        Assert.InRange(l2Norm.MeanTestSetHalfWidth!.Value, 1e-4, 0.1);
        Assert.InRange(l2Norm.Fpr95OodPositive!.Value, 0, 1);
        Assert.Contains("<section id=\"scores\">", html);
        Assert.Equal(Verdict.Outside, model.Table.Single(t => t.Row == "logitnorm").Auroc.Single(a => a.OodSet == "mnist").Band!.Verdict);
    }

    [Fact]
    public void The_report_repro_table_and_the_reproduction_test_show_one_judgement_of_each_claim()
    {
        // All three read PaperTable.JudgeClaims: the report's claim lines, `repro table`'s text and the verdicts the
        // Category=Repro test asserts are the same, word for word.
        using var fixture = new ReportFixture(complete: true);
        var (model, _) = Report(fixture);
        var bands = ToleranceBands.Load(fixture.BandsFile);
        var table = PaperTable.Aggregate(ExperimentDefinition.Load(fixture.DefinitionFile), ResultsFolder.LoadFinished(fixture.Results));
        var judged = table.JudgeClaims(bands);
        Assert.Equal(judged.Select(c => (c.Claim.Text, c.Verdict, c.Judgement, c.Statistics)),
            model.Claims.Select(c => (c.Text, c.Verdict, c.Judgement, c.Statistics)));
        var text = Repro.Cli.Tables.PaperTableText.Format(table, bands, fixture.BandsFile);
        Assert.All(judged, c => Assert.Contains($"{c.Claim.Text}: ", text));
        Assert.All(judged, c => Assert.Contains($"; {c.Judgement}; {c.Statistics}", text));
    }

    [Fact]
    public void Empty_results_folder_gives_a_report_that_says_so()
    {
        using var temp = new TempDir();
        var (model, inputs) = ReportModel.Build(temp.Path);
        var html = HtmlReport.Render(model, inputs, Generated, "test");
        Assert.Equal(0, model.UnitsFinished);
        Parse(html);
        Assert.Contains("no finished unit", html);
    }

    [Fact]
    public void Rows_missing_entirely_are_shown_as_missing_not_zero()
    {
        using var fixture = new ReportFixture();
        Directory.Delete(Path.Combine(fixture.Results, "no-l2"), recursive: true);
        var (model, html) = Report(fixture);
        Assert.All(model.Table.Single(t => t.Row == "no-l2").Auroc, a => Assert.Null(a.Ours));
        var row = Parse(html).Descendants("tr").Single(tr => tr.Elements("td").FirstOrDefault()?.Value == "No L2 Mag");
        Assert.Contains("missing", row.Elements("td").Skip(2).First().Value);
        Assert.DoesNotContain(row.Elements("td"), td => td.Value.StartsWith("0.000"));
    }

    [Fact]
    public void A_unit_with_unreadable_files_is_listed_and_the_rest_is_reported()
    {
        using var fixture = new ReportFixture();
        File.WriteAllText(Path.Combine(fixture.Results, "l2", "seed-0", UnitFiles.Metrics), "{ not json");
        File.Delete(UnitFiles.ScoresPath(Path.Combine(fixture.Results, "l2", "seed-1"), "mnist"));
        var (model, html) = Report(fixture);
        Assert.Contains(model.Missing, m => m.StartsWith("l2/seed-0: unreadable") && m.Contains(UnitFiles.Metrics));
        Assert.Contains(model.Missing, m => m.StartsWith("l2/seed-1: scores/mnist.csv is missing"));
        Assert.Equal(6, model.UnitsFinished);
        Parse(html);
    }

    [Fact]
    public void Results_of_a_definition_use_the_rows_recorded_in_the_folder()
    {
        using var fixture = new ReportFixture();
        var (model, _) = Report(fixture, withDefinition: false);
        // The fixture's definition is not under experiments/, so the manifest's rows stand in for it: no paper numbers.
        Assert.Equal(["l2", "no-l2", "logitnorm"], model.Table.Select(t => t.Row));
        Assert.All(model.Table.SelectMany(t => t.Auroc), a => Assert.Null(a.Paper));
        Assert.Contains(model.Missing, m => m.Contains("definition 'fixture'"));
    }

    [Fact]
    public void Scores_files_round_trip_and_bad_ones_name_the_line()
    {
        using var fixture = new ReportFixture();
        var unit = Path.Combine(fixture.Results, "l2", "seed-0");
        var scores = UnitFiles.ReadScores(unit, "mnist");
        Assert.Equal(500, scores.Labels.Length);
        var result = UnitFiles.ReadResult(unit);
        Assert.Equal(result.Ood["mnist"]["feature_norm"].Auroc,
            Repro.Metrics.Auroc.Compute(UnitFiles.ReadScores(unit, "fashion-mnist-known6").Scores["feature_norm"], scores.Scores["feature_norm"]));
        var path = UnitFiles.ScoresPath(unit, "mnist");
        var lines = File.ReadAllLines(path);
        lines[3] = lines[3].Replace(",", ",x", StringComparison.Ordinal)[..20];
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<DataFormatException>(() => UnitFiles.ReadScores(unit, "mnist"));
        Assert.Contains("line 4", e.Message);
        Assert.Contains(path, e.Message);
    }

    internal static XElement Parse(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>\n", html);
        return XElement.Parse(html["<!DOCTYPE html>\n".Length..]);
    }
}
