using System.Text.Json;
using PuppeteerSharp;
using Repro.Data;
using Repro.Experiments;
using Repro.Model;
using Repro.Reporting;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Report;

/// <summary>
/// The published page in a real browser: a tiny real training run (L2 and No-L2 rows, two seeds each, real
/// Fashion-MNIST → MNIST), its report written to disk, loaded from a file URL in headless Chromium, and checked for what
/// a reader sees — the table, every score on every model with its intervals, the figures.
/// </summary>
[Collection(TorchCollection.Name)]
public class BrowserTests
{
    private sealed record PageImage(string Alt, bool Complete, int NaturalWidth, int NaturalHeight, double ShownWidth);
    private sealed record PageState(string Title, int TableRows, string[] Sections, PageImage[] Images, double Overflow, int MissingItems,
        int GridTables, string[] OwnCells, string[][] Differences);

    private const string Inspect = """
        async () => {
          await Promise.all([...document.images].map(i => i.decode()));   // rejects when an image is broken
          return {
            title: document.title,
            tableRows: document.querySelectorAll('section#table table.results')[0].querySelectorAll('tbody tr').length,
            sections: [...document.querySelectorAll('section')].map(s => s.id),
            images: [...document.images].map(i => ({ alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,
                                                     naturalHeight: i.naturalHeight, shownWidth: i.getBoundingClientRect().width })),
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            missingItems: document.querySelectorAll('section#missing li').length,
            gridTables: document.querySelectorAll('section#scores table.grid').length,
            ownCells: [...document.querySelectorAll('section#scores table.grid td.own')].map(td => td.textContent),
            differences: [...document.querySelectorAll('section#ablation table.differences tbody tr')].map(tr => [...tr.cells].map(c => c.textContent)),
          };
        }
        """;

    [Fact]
    public async Task Report_of_a_real_run_renders_in_chromium()
    {
        using var temp = new TempDir();
        var results = Path.Combine(temp.Path, "results");
        // TinyRun's recipe as a definition whose one row is swept over train-time L2 on and off: the two rows of the
        // paper's central contrast, and an ablation section with one axis.
        var definitionFile = Path.Combine(temp.Path, "browser.json");
        File.WriteAllText(definitionFile, """
            { "name": "browser", "version": 1, "source": "tiny real run for the browser test", "seeds": [1, 2],
              "oodSets": { "mnist": "far-OoD" }, "sources": {},
              "common": { "inDistribution": "fashion-mnist", "oodSets": ["mnist"], "width": 8, "epochs": 1, "batchSize": 64,
                          "trainSubset": 2048, "testSubset": 2000, "activation": "leaky-relu", "evalBatchSize": 250, "device": "cpu" },
              "rows": [ { "name": "l2", "label": "L2", "score": "feature_norm", "config": {},
                          "axes": { "featureNorm": ["train-only", "none"] } } ] }
            """);
        var definition = ExperimentDefinition.Load(definitionFile);
        ExperimentRunner.Run(definition.ToExperiment(), results, TinyRun.Data, _ => IProgressSink.Silent, _ => { });
        var (model, inputs) = ReportModel.Build(results, definitionFile);
        var file = Path.Combine(temp.Path, "report.html");
        File.WriteAllText(file, HtmlReport.Render(model, inputs, DateTimeOffset.UtcNow, "browser test"));

        await using var browser = await Chromium.Launch(Path.Combine(temp.Path, "chromium-profile"));
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 900 });
        var response = await page.GoToAsync(new Uri(file).AbsoluteUri, WaitUntilNavigation.Load);
        Assert.True(response.Ok, $"loading {file}: {response.Status}");

        var wide = await page.EvaluateFunctionAsync<PageState>(Inspect);
        Assert.Equal(model.Title, wide.Title);
        Assert.Equal(2, wide.TableRows);
        Assert.Equal(["missing", "table", "scores", "ablation", "seeds", "norms", "roc", "training", "provenance"], wide.Sections);
        // The grid: AUROC and FPR95 tables for the one OoD set; each row's own score (‖z‖) over two seeds shows the seeds'
        // interval and the test sets' (DeLong) beside its mean, then FPR95 in both conventions.
        Assert.Equal(2, wide.GridTables);
        Assert.Equal(4, wide.OwnCells.Length);
        Assert.All(wide.OwnCells.Take(2), c => Assert.Matches(@"^0\.\d{3} ± \d+\.\d{3} \[±0\.\d{3}\]\*$", c));
        Assert.All(wide.OwnCells.Skip(2), c => Assert.Matches(@"^[01]\.\d{3} / [01]\.\d{3}\*$", c));
        Assert.Equal(0, wide.MissingItems > 0 ? -1 : 0);   // a complete run: the missing section lists nothing
        Assert.Equal(1 + 1 + 2 + 1 + 3, wide.Images.Length);    // effect, seeds, ‖z‖ L2|No-L2, ROC, loss/accuracy/lr
        // The ablation: one effect plot (featureNorm on MNIST) and the one paired difference, over both seeds.
        Assert.Contains(wide.Images, i => i.Alt.StartsWith("Mean AUROC on mnist at each level of featureNorm"));
        Assert.Equal([["L2: none − train-only", "2"]], wide.Differences.Select(d => d.Take(2).ToArray()));
        Assert.Matches(@"^\[[+−]\d\.\d{3}, [+−]\d\.\d{3}\]$", wide.Differences[0][3]);
        Assert.All(wide.Images, i => Assert.True(i.Complete && i.NaturalWidth > 0 && i.NaturalHeight > 0 && i.ShownWidth > 0,
            $"image '{i.Alt}' did not render: {i}"));
        var shot = await page.ScreenshotDataAsync(new ScreenshotOptions { FullPage = true, Type = ScreenshotType.Png });
        var (width, height) = PngSize(shot);
        Assert.Equal(1200, width);
        Assert.True(height > 3000, $"a full-page screenshot of every section should be tall, was {height} px");
        SaveForReview(shot, "report-1200.png");

        // A phone-width window: nothing wider than the window (tables scroll inside their own box), figures shrink.
        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 800 });
        var narrow = await page.EvaluateFunctionAsync<PageState>(Inspect);
        Assert.True(narrow.Overflow <= 0, $"the page is {narrow.Overflow} px wider than a 390 px window");
        Assert.All(narrow.Images, i => Assert.InRange(i.ShownWidth, 1, 390));
        SaveForReview(await page.ScreenshotDataAsync(new ScreenshotOptions { FullPage = true, Type = ScreenshotType.Png }), "report-390.png");
    }

    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        int At(int offset) => (png[offset] << 24) | (png[offset + 1] << 16) | (png[offset + 2] << 8) | png[offset + 3];
        return (At(16), At(20));   // IHDR's width and height
    }

    /// <summary>Screenshots go to TestResults/ in the repository (ignored by git) for a person or CI to look at.</summary>
    private static void SaveForReview(byte[] png, string name)
    {
        var dir = Path.Combine(DataPaths.RepositoryRoot() ?? Path.GetTempPath(), "TestResults");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), png);
    }
}
