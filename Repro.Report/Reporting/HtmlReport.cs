using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Repro.Experiments;

namespace Repro.Reporting;

/// <summary>
/// Renders a <see cref="ReportModel"/> and its figures as one self-contained HTML page: styles inline, plots as SVG
/// data URIs, no scripts, nothing fetched — it opens from disk and can be published as it is. Built as an XML tree,
/// so it is well-formed and every text is escaped by construction.
/// </summary>
public static class HtmlReport
{
    public const string FileName = Runs.ResultsFolder.ReportFile;

    /// <summary>
    /// Builds the report of a results folder and writes it in one atomic step (a previous report stays until the new
    /// one is whole); returns the model, for the caller's summary line.
    /// </summary>
    public static ReportModel Write(string resultsDir, string output, string? definitionFile = null, string? bandsFile = null)
    {
        var repo = Data.DataPaths.RepositoryRoot();
        var (model, inputs) = ReportModel.Build(resultsDir, definitionFile, bandsFile, repo);
        var html = Render(model, inputs, DateTimeOffset.UtcNow, $"repro report (commit {Runs.Provenance.Commit(repo)})");
        Platform.AtomicFile.WriteAllText(output, html);
        return model;
    }

    public static string Render(ReportModel model, ReportInputs inputs, DateTimeOffset generated, string generator)
    {
        var body = new XElement("body",
            new XElement("h1", model.Title),
            P(model.Description),
            P($"In-distribution: {model.InDistribution}; OoD sets: {string.Join(", ", model.OodSets.Select(o => $"{o.Key} ({o.Value})"))}. " +
              $"Definition: {model.DefinitionSource}. Units finished: {model.UnitsFinished} of {model.UnitsPlanned}."),
            P($"Generated {generated.ToUniversalTime():yyyy-MM-dd HH:mm} UTC by {generator}, from the results folder's files only."),
            Contents(model),
            MissingSection(model),
            TableSection(model),
            ScoreGridSection(model),
            AblationSection(model),
            Section("seeds", "AUROC of every seed",
                P("Each point is one seed's AUROC with the row's score; the paper's seed range is the grey box. " +
                  "A row's spread over seeds is the noise any single comparison carries."),
                Figures(ReportFigures.SeedSpreads(model))),
            NormSection(model, inputs),
            Section("roc", "ROC curves",
                P("For each row, the seed with the median AUROC; ID is the positive class, so FPR95 is the share of OoD images " +
                  "accepted when 95% of ID images are."),
                Figures(ReportFigures.RocCurves(model, inputs))),
            Section("training", "Training",
                Figures(ReportFigures.TrainingCurves(model, inputs)),
                AccuracyTable(model)),
            ProvenanceSection(model));

        var html = new XElement("html", new XAttribute("lang", "en"),
            new XElement("head",
                new XElement("meta", new XAttribute("charset", "utf-8")),
                new XElement("meta", new XAttribute("name", "viewport"), new XAttribute("content", "width=device-width, initial-scale=1")),
                new XElement("title", model.Title),
                new XElement("style", Css)),
            body);
        CloseEmptyElements(html);
        return "<!DOCTYPE html>\n" + html.ToString(SaveOptions.None) + "\n";
    }

    private static XElement Contents(ReportModel model) => new("nav",
        new XElement("ul",
            new[] { ("missing", "What is missing"), ("table", "Table 1"), ("scores", "Every score"), ("ablation", "Ablation"), ("seeds", "AUROC per seed"),
                    ("norms", "‖z‖ histograms"), ("roc", "ROC curves"), ("training", "Training"), ("provenance", "Provenance") }
            .Where(x => x.Item1 != "ablation" || model.Ablation is not null)
            .Select(x => new XElement("li", new XElement("a", new XAttribute("href", $"#{x.Item1}"), x.Item2)))));

    private static XElement MissingSection(ReportModel model)
    {
        var section = Section("missing", "What is missing",
            model.Missing.Count == 0 && model.Failed.Count == 0
                ? P("Nothing: every planned unit has finished, with its scores.")
                : new XElement("ul", new XAttribute("class", "missing-list"), model.Missing.Select(m => new XElement("li", m))));
        if (model.Failed.Count > 0)
            section.Add(new XElement("h3", $"Failed units ({model.Failed.Count})"),
                P("These stopped for good (their failure.json says why); the table leaves them out. Delete a unit's folder to run it again."),
                new XElement("ul", new XAttribute("class", "failed-list"), model.Failed.Select(f => new XElement("li", $"FAILED — {f}"))));
        return section;
    }

    private static XElement TableSection(ReportModel model)
    {
        var oods = model.Columns.Keys.ToList();
        var head1 = new XElement("tr", Th("method", rowspan: 2), Th("seeds", rowspan: 2),
            oods.Select(o => Th($"{o} ({model.Columns[o]}) AUROC", colspan: 4)), Th("ID accuracy", colspan: 2));
        var head2 = new XElement("tr", oods.SelectMany(_ => new[] { Th("min"), Th("max"), Th("avg"), Th("paper avg (min–max)") }),
            Th("ours"), Th("paper"));
        var rows = model.Table.Select(line => new XElement("tr",
            new XElement("td", line.Label), Td($"{line.SeedsFinished}/{line.SeedsPlanned}", line.SeedsFinished < line.SeedsPlanned ? "unfinished" : null),
            line.Auroc.SelectMany(a => new[]
            {
                Value(a.Ours?.Min), Value(a.Ours?.Max), Judged(a.Ours?.Avg, a.Band),
                Td(a.Paper is null ? "—" : $"{F(a.Paper.Avg)} ({F(a.Paper.Min)}–{F(a.Paper.Max)})"),
            }),
            Judged(line.Accuracy, line.AccuracyBand, percent: true), Td(line.PaperAccuracy is null ? "—" : Pct(line.PaperAccuracy.Value)))).ToList();

        var section = Section("table", "Table 1 in the paper's shape",
            P($"AUROC over finished seeds with each row's score (higher = more in-distribution); min / max / avg over seeds, beside the paper's. " +
              $"Tolerance bands: {model.BandsSource}."),
            Scroll(new XElement("table", new XAttribute("class", "results"), new XElement("thead", head1, head2), new XElement("tbody", rows))),
            P("✓ within its tolerance band · ✗ outside it · no mark: no band · “missing”: no finished seed (never shown as zero). " +
              "Hover a marked cell for the band and its reason."));
        if (model.Claims.Count > 0)
            section.Add(new XElement("h3", "The paper's claims"),
                new XElement("ul", new XAttribute("class", "claims"), model.Claims.Select(c => new XElement("li",
                    new XAttribute("class", VerdictClass(c.Verdict)),
                    $"{c.Verdict switch { Verdict.Within => "holds", Verdict.Outside => "FAILS", _ => "missing" }}: {c.Text} — " +
                    $"{F(c.Left)} vs {F(c.Right)}{(c.Margin != 0 ? $" (margin {F(c.Margin)})" : "")}; {c.Judgement}{(c.Statistics is { } p ? $"; {p}" : "")}"))));
        if (model.Leaderboard is { } board)
        {
            var columns = board.Columns;
            section.Add(new XElement("h3", "For comparison: published results"),
                P($"{board.Source}. Mean ± standard deviation over the source's runs, in percent as it prints them; other networks, epochs and " +
                  "input normalization than our rows, so only the ordering compares."),
                Scroll(new XElement("table", new XAttribute("class", "results leaderboard"),
                    new XElement("thead", new XElement("tr", Th("training"), Th("score"), columns.Select(c => Th($"{c} AUROC")), Th("ID accuracy"))),
                    new XElement("tbody", board.Rows.Select(r => new XElement("tr", new XElement("td", r.Training), new XElement("td", r.Postprocessor),
                        columns.Select(c => Td(r.Auroc.TryGetValue(c, out var v) ? v.Text : "—")),
                        Td(r.Accuracy is { } a ? a.Text : "—")))))));
        }
        if (model.PaperReference is { } paper)
        {
            var pOods = paper.OodSets.Keys.ToList();
            section.Add(new XElement("h3", "For comparison: the paper's numbers"), P(paper.Caption),
                Scroll(new XElement("table", new XAttribute("class", "results"),
                    new XElement("thead", new XElement("tr", Th("method"), pOods.Select(o => Th($"{o} ({paper.OodSets[o]}) avg (min–max)")), Th("accuracy"))),
                    new XElement("tbody", paper.Rows.Select(r => new XElement("tr", new XElement("td", r.Label),
                        pOods.Select(o => Td(r.Auroc.TryGetValue(o, out var s) ? $"{F(s.Avg)} ({F(s.Min)}–{F(s.Max)})" : "—")),
                        Td(Pct(r.Accuracy))))))));
        }
        return section;
    }

    /// <summary>Per OoD set, every score (a line) on every row's models (a column): mean AUROC with both intervals of that mean, then FPR95 both ways.</summary>
    private static XElement ScoreGridSection(ReportModel model)
    {
        var section = Section("scores", "Every score on every model",
            P("The same trained models under every registered score: whether a contrast belongs to the training method or to " +
              "the score read out. AUROC: mean over a row's (n) seeds ± half the 95% Student's t interval of that mean [± half " +
              "the 95% interval of the same mean from the test sets alone: DeLong's errors of the seeds combined as if " +
              "independent. Seeds scored on the same test images err together, so this is the least the mean's test-set error " +
              "can be; one seed's is the most]. When the first is much wider, seeds dominate the noise. The row's own score is " +
              "starred and bold. FPR95 (lower is better) in both conventions: ID positive, " +
              "as LogitNorm reports it / OoD positive, as OpenOOD v1.5 does."));
        foreach (var group in model.ScoreGrid.GroupBy(l => l.OodSet))
        {
            var rows = group.First().Cells.Select(c => $"{c.Row} ({c.Seeds})").ToList();
            XElement Table(string caption, Func<ScoreCell, string> text) => Scroll(new XElement("table", new XAttribute("class", "results grid"),
                new XAttribute("data-ood", group.Key), new XElement("caption", caption),
                new XElement("thead", new XElement("tr", Th("score"), rows.Select(r => Th(r)))),
                new XElement("tbody", group.Select(line => new XElement("tr", new XElement("td", line.Score),
                    line.Cells.Select(c => Td(text(c) + (c.Own ? "*" : ""), c.Own ? "own" : null)))))));
            section.Add(new XElement("h3", $"{group.Key} ({model.Columns[group.Key]})"),
                Table($"AUROC on {group.Key}", c => c.Auroc is null ? "—"
                    : F(c.Auroc) + (c.MeanSeedHalfWidth is { } s ? $" ± {F(s)}" : "") + (c.MeanTestSetHalfWidth is { } t ? $" [±{F(t)}]" : "")),
                Table($"FPR95 on {group.Key}: ID positive / OoD positive", c => c.Fpr95 is null ? "—" : $"{F(c.Fpr95)} / {F(c.Fpr95OodPositive)}"));
        }
        return section;
    }

    /// <summary>
    /// Per swept axis: the effect plots (each method's AUROC along the axis, own score and the definition's second score),
    /// then the paired differences between cells; for grids over two axes, their interactions.
    /// </summary>
    private static XElement? AblationSection(ReportModel model)
    {
        if (model.Ablation is not { } ablation) return null;
        var section = Section("ablation", "Ablation",
            P("Each axis varies one part of the recipe from its first level (the base), every other axis at its base; every " +
              "cell trains the same seeds, so differences pair seed by seed. Points: the mean AUROC over seeds, bars half " +
              $"the 95% Student's t interval of that mean; solid lines each row's own score, dashed {ablation.SecondScore}. " +
              "Tables: the mean of the per-seed differences of each row's own score, the 95% Student's t interval of that " +
              "mean, the exact two-sided sign-flip p, and the seeds a 5% two-sided test would need for 80% power at that difference."));
        foreach (var axis in ablation.Axes)
        {
            section.Add(new XElement("h3", $"{axis.Axis}: {string.Join(", ", axis.Levels)}"), Figures(ReportFigures.EffectPlots(model, axis)));
            foreach (var ood in model.OodSets.Keys)
                section.Add(DifferenceTable($"{axis.Axis}, {ood}: paired differences", ood,
                    axis.Methods.SelectMany(m => m.FromBase).Concat(axis.Contrasts).Concat(axis.Interactions).Where(d => d.Ood == ood)));
        }
        if (ablation.BaseContrasts.Count > 0)
            foreach (var ood in model.OodSets.Keys)
                section.Add(DifferenceTable($"methods at their bases, {ood}", ood, ablation.BaseContrasts.Where(d => d.Ood == ood)));
        if (ablation.GridInteractions.Count > 0)
            foreach (var ood in model.OodSets.Keys)
                section.Add(DifferenceTable($"interactions within grids, {ood}", ood, ablation.GridInteractions.Where(d => d.Ood == ood)));
        return section;
    }

    private static XElement DifferenceTable(string caption, string ood, IEnumerable<AblationDifference> differences) =>
        Scroll(new XElement("table", new XAttribute("class", "results differences"), new XAttribute("data-ood", ood),
            new XElement("caption", caption),
            new XElement("thead", new XElement("tr", Th("comparison"), Th("seeds"), Th("mean difference"), Th("95% interval of the mean"),
                Th("sign-flip p"), Th("seeds for 80% power"))),
            new XElement("tbody", differences.Select(d => d.Paired is { } p
                ? new XElement("tr", new XElement("td", d.Comparison), Td(p.Seeds.Count.ToString(CultureInfo.InvariantCulture)), Td(Signed(p.MeanDifference)),
                    Td($"[{Signed(p.Interval.Low)}, {Signed(p.Interval.High)}]", p.Interval.Low > 0 || p.Interval.High < 0 ? "resolved" : null),
                    Td(p.PValue < 0.001 ? "< 0.001" : F(p.PValue)), Td(p.SeedsFor80PercentPower?.ToString(CultureInfo.InvariantCulture) ?? "—"))
                : new XElement("tr", new XElement("td", d.Comparison), Td("< 2"), Td("—"), Td("—"), Td("—"), Td("—"))))));

    private static string Signed(double v) => v.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);

    private static XElement NormSection(ReportModel model, ReportInputs inputs)
    {
        var groups = ReportFigures.NormHistograms(model, inputs);
        var section = Section("norms", "‖z‖ histograms: L2 vs No-L2",
            P("The paper's picture: with train-time L2 normalization, familiar (ID) images get large feature norms and unfamiliar " +
              "ones small, so the raw norm separates them; the same network trained without it does not."));
        if (groups.Count == 0) section.Add(P("No histogram: no finished L2 row with scores (see What is missing)."));
        foreach (var (caption, figures) in groups) section.Add(new XElement("h3", caption), Figures(figures));
        return section;
    }

    private static XElement AccuracyTable(ReportModel model) => new("div",
        new XElement("h3", "ID test accuracy"),
        model.Accuracy.Count == 0 ? P("No finished unit.") : Scroll(new XElement("table",
            new XElement("thead", new XElement("tr", Th("method"), Th("seeds"), Th("mean"), Th("min"), Th("max"), Th("last-epoch train acc."), Th("paper"))),
            new XElement("tbody", model.Accuracy.Select(a => new XElement("tr", new XElement("td", a.Label), Td(a.Seeds.ToString()),
                Td(Pct(a.Mean)), Td(Pct(a.Min)), Td(Pct(a.Max)), Td(Pct(a.FinalTrainAccuracy)), Td(a.Paper is null ? "—" : Pct(a.Paper.Value))))))));

    private static XElement ProvenanceSection(ReportModel model) => Section("provenance", "Provenance",
        new XElement("h3", "Environment (distinct values over the units shown)"),
        Scroll(new XElement("table", new XElement("tbody", model.Environment.Select(kv =>
            new XElement("tr", new XElement("th", kv.Key), Td(string.Join("; ", kv.Value))))))),
        new XElement("h3", "Units"),
        Scroll(new XElement("table",
            new XElement("thead", new XElement("tr", Th("row"), Th("seed"), Th("device"), Th("commit"), Th("TorchSharp"), Th("libtorch"),
                Th("epochs"), Th("s/epoch"), Th("train s"), Th("wall s"), Th("finished"))),
            new XElement("tbody", model.Units.Select(u => new XElement("tr", Td(u.Row), Td(u.Seed.ToString()), Td(u.Device), Td(u.Commit),
                Td(u.TorchSharp), Td(u.Libtorch), Td(u.Epochs.ToString()), Td(F1(u.SecondsPerEpoch)), Td(F1(u.TrainSeconds)),
                Td(F1(u.WallSeconds)), Td(u.Finished)))))),
        new XElement("h3", "Data (SHA-256 of the decoded images and labels)"),
        Scroll(new XElement("table", new XElement("tbody", model.DataHashes.Select(kv =>
            new XElement("tr", new XElement("th", kv.Key), new XElement("td", new XAttribute("class", "hash"), string.Join(" ≠ ", kv.Value))))))));

    private static XElement Figures(IEnumerable<Figure> figures) => new("div", new XAttribute("class", "figures"),
        figures.Select(f => new XElement("figure",
            new XElement("img",
                new XAttribute("src", "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(f.Svg))),
                new XAttribute("alt", f.Description), new XAttribute("width", f.Width), new XAttribute("height", f.Height),
                new XAttribute("data-figure", f.Title)),
            new XElement("figcaption", f.Description))));

    private static XElement Section(string id, string title, params object[] content) =>
        new("section", new XAttribute("id", id), new XElement("h2", title), content);

    private static XElement Scroll(XElement table) => new("div", new XAttribute("class", "scroll"), table);
    private static XElement P(string text) => new("p", text);

    private static XElement Th(string text, int colspan = 1, int rowspan = 1)
    {
        var th = new XElement("th", text);
        if (colspan > 1) th.Add(new XAttribute("colspan", colspan));
        if (rowspan > 1) th.Add(new XAttribute("rowspan", rowspan));
        return th;
    }

    private static XElement Td(string text, string? cssClass = null) =>
        cssClass is null ? new XElement("td", text) : new XElement("td", new XAttribute("class", cssClass), text);

    private static XElement Value(double? v) => v is null ? Td("missing", "missing") : Td(F(v));

    private static XElement Judged(double? value, BandCheck? band, bool percent = false)
    {
        string Show(double x) => percent ? Pct(x) : F(x);
        if (value is null) return Td("missing", "missing");
        if (band is null) return Td(Show(value.Value));
        var td = Td($"{Show(value.Value)} {(band.Verdict == Verdict.Within ? "✓" : "✗")}", VerdictClass(band.Verdict));
        td.Add(new XAttribute("title", $"band {Show(band.Low)}–{Show(band.High)}: {band.Reason}"));
        return td;
    }

    private static string VerdictClass(Verdict v) => v switch { Verdict.Within => "within", Verdict.Outside => "outside", _ => "missing" };

    /// <summary>HTML parsers read &lt;div/&gt; as an unclosed &lt;div&gt;: give empty non-void elements an explicit end tag.</summary>
    private static void CloseEmptyElements(XElement root)
    {
        string[] voids = ["meta", "img", "br", "hr", "link", "input"];
        foreach (var e in root.DescendantsAndSelf().Where(e => e.IsEmpty && !voids.Contains(e.Name.LocalName)).ToList()) e.Value = "";
    }

    private static string F(double? v) => v is null ? "—" : v.Value.ToString("0.000", CultureInfo.InvariantCulture);
    private static string F1(double v) => double.IsNaN(v) ? "—" : v.ToString("0.0", CultureInfo.InvariantCulture);
    private static string Pct(double v) => double.IsNaN(v) ? "—" : (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private const string Css = """
        body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1160px; padding: 0 1rem 3rem; color: #1b1b1b; line-height: 1.45; }
        h1 { font-size: 1.6rem; margin-top: 1.2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
        nav ul { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; padding: 0; list-style: none; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
        th, td { border: 1px solid #d0d0d0; padding: .25rem .5rem; text-align: right; white-space: nowrap; }
        td:first-child, th[rowspan] { text-align: left; }
        thead th { background: #f3f3f3; }
        td.own { font-weight: 600; } table.grid caption { text-align: left; font-size: .9rem; color: #555; }
        td.within { background: #e3f4e1; } td.outside { background: #fbe0de; } td.missing, td.unfinished { color: #8a6d00; background: #fff7d6; }
        ul.claims li.within::marker { color: #2e7d32; } ul.claims li.outside { color: #b71c1c; } ul.claims li.missing { color: #8a6d00; }
        .missing-list li { color: #8a6d00; } .failed-list li { color: #b71c1c; font-weight: 600; }
        td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: .8rem; text-align: left; white-space: normal; word-break: break-all; }
        .figures { display: flex; flex-wrap: wrap; gap: 1rem; }
        figure { margin: 0; flex: 1 1 480px; max-width: 760px; }
        figure img { width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: .85rem; color: #555; }
        """;
}
