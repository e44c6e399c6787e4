using Repro.Experiments;
using Repro.Metrics;
using Repro.Model;
using Repro.Runs;
using Repro.Scores;
using Repro.Training;
using ScottPlot;

namespace Repro.Reporting;

/// <summary>One drawn figure: SVG text and what it shows (the alt text a screen reader and the tests use).</summary>
public sealed record Figure(string Title, string Description, string Svg, int Width, int Height);

/// <summary>
/// The report's plots, drawn with ScottPlot as SVG from a results folder's files: AUROC per seed over the paper's
/// spread, ‖z‖ histograms (L2 vs No-L2), ROC curves of each row's median seed, training curves. Each row keeps one
/// colour in every figure.
/// </summary>
public static class ReportFigures
{
    private const int Width = 760, Height = 420;

    /// <summary>setup.sh installs it (fonts-dejavu-core); the SVG names it, so the browser draws the glyphs that were measured.</summary>
    private const string FontName = "DejaVu Sans";

    /// <summary>ID vs OoD in the histograms: colours no row uses (rows take Category10's first six), so they are not read as rows.</summary>
    private static readonly Color IdColor = Color.FromHex("#3a3a3a"), OodColor = Color.FromHex("#e377c2");

    public static IReadOnlyList<Figure> SeedSpreads(ReportModel model) =>
        model.OodSets.Keys.Select(ood => SeedSpread(model, ood)).ToList();

    private static Figure SeedSpread(ReportModel model, string ood)
    {
        var spreads = model.SeedSpreads.Where(s => s.OodSet == ood).ToList();
        var plot = NewPlot($"{ood} ({model.OodSets[ood]}): AUROC of every seed", "", "AUROC");
        bool paperLegend = false;
        var values = new List<double>();
        foreach (var (s, i) in spreads.Select((s, i) => (s, i)))
        {
            var color = RowColor(model, s.Row);
            if (s.Paper is { } paper)
            {
                var band = plot.Add.Rectangle(i - 0.3, i + 0.3, paper.Min, paper.Max);
                band.FillStyle.Color = Colors.Gray.WithAlpha(0.25);
                band.LineStyle.Width = 0;
                var avg = plot.Add.Line(i - 0.3, paper.Avg, i + 0.3, paper.Avg);
                avg.Color = Colors.Gray;
                avg.LinePattern = LinePattern.Dashed;
                if (!paperLegend) { band.LegendText = "paper: seed min–max (dashed: its mean)"; paperLegend = true; }
                values.AddRange([paper.Min, paper.Max]);
            }
            if (s.Seeds.Count == 0) continue;
            var xs = s.Seeds.Select((_, k) => i + Jitter(k, s.Seeds.Count)).ToArray();
            var ys = s.Seeds.Select(x => x.Auroc).ToArray();
            var markers = plot.Add.Markers(xs, ys);
            markers.Color = color;
            markers.MarkerSize = 9;
            markers.LegendText = $"{s.Label} ({s.Seeds.Count} seed{(s.Seeds.Count == 1 ? "" : "s")})";
            var mean = plot.Add.Line(i - 0.35, ys.Average(), i + 0.35, ys.Average());
            mean.Color = color;
            mean.LineWidth = 2;
            values.AddRange(ys);
        }
        plot.Axes.Bottom.SetTicks(spreads.Select((_, i) => (double)i).ToArray(), spreads.Select(s => s.Label).ToArray());
        plot.Axes.SetLimitsX(-0.6, Math.Max(1, spreads.Count) - 0.4);
        if (values.Count > 0) plot.Axes.SetLimitsY(Math.Max(0, values.Min() - 0.03), Math.Min(1.005, values.Max() + 0.03));
        plot.ShowLegend(Edge.Bottom);   // outside the data area: points may sit anywhere in it
        return Render(plot, $"seed-spread-{ood}",
            $"AUROC of every finished seed per row on {ood}; a short solid line marks our mean, grey boxes the paper's seed range.");
    }

    /// <summary>One axis of an ablation per OoD set: each method's mean AUROC at each level with its seeds' 95% t interval, own score solid, the second score dashed.</summary>
    public static IReadOnlyList<Figure> EffectPlots(ReportModel model, AxisAblation axis) =>
        model.OodSets.Keys.Select(ood => EffectPlot(model, axis, ood)).ToList();

    private static Figure EffectPlot(ReportModel model, AxisAblation axis, string ood)
    {
        var plot = NewPlot($"{ood} ({model.OodSets[ood]}): AUROC along {axis.Axis}", axis.Axis, "AUROC");
        var second = model.Ablation!.SecondScore;
        var values = new List<double>();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (method, m) in axis.Methods.Select((m, i) => (m, i)))
            foreach (var score in new[] { method.OwnScore, second }.Distinct())
            {
                var points = method.Points.Select(p => (X: (double)axis.Levels.ToList().IndexOf(p.Level), Seeds: p.Row.EveryScore[ood][score]))
                    .Where(p => p.Seeds.Auroc.Count > 0).ToList();
                if (points.Count == 0) continue;
                // Methods side by side at each level, so their bars do not cover each other.
                double shift = axis.Methods.Count <= 1 ? 0 : -0.12 + 0.24 * m / (axis.Methods.Count - 1);
                var xs = points.Select(p => p.X + shift).ToArray();
                var ys = points.Select(p => p.Seeds.Auroc.Mean).ToArray();
                var line = plot.Add.ScatterLine(xs, ys);
                line.Color = palette.GetColor(m);
                line.LineWidth = 2;
                line.MarkerSize = 8;
                line.MarkerShape = score == method.OwnScore ? MarkerShape.FilledCircle : MarkerShape.OpenCircle;
                line.LinePattern = score == method.OwnScore ? LinePattern.Solid : LinePattern.Dashed;
                line.LegendText = $"{method.Label}: {score}{(score == method.OwnScore ? " (own)" : "")}";
                foreach (var (x, p) in xs.Zip(points))
                {
                    values.Add(p.Seeds.Auroc.Mean);
                    if (p.Seeds.MeanSeedHalfWidth is not { } half) continue;
                    var bar = plot.Add.Line(x, p.Seeds.Auroc.Mean - half, x, p.Seeds.Auroc.Mean + half);
                    bar.Color = palette.GetColor(m);
                    bar.LineWidth = 1.5f;
                    values.AddRange([p.Seeds.Auroc.Mean - half, p.Seeds.Auroc.Mean + half]);
                }
            }
        plot.Axes.Bottom.SetTicks(axis.Levels.Select((_, i) => (double)i).ToArray(), axis.Levels.ToArray());
        plot.Axes.SetLimitsX(-0.5, Math.Max(1, axis.Levels.Count) - 0.5);
        if (values.Count > 0) plot.Axes.SetLimitsY(Math.Max(0, values.Min() - 0.03), Math.Min(1.005, values.Max() + 0.03));
        plot.ShowLegend(Edge.Bottom);
        return Render(plot, $"effect-{axis.Axis}-{ood}",
            $"Mean AUROC on {ood} at each level of {axis.Axis} (the first is the base), one line per method and score; bars: half the 95% Student's t interval of the mean over seeds.");
    }

    /// <summary>
    /// ‖z‖ of ID test images vs each OoD set's, for each train-only-L2 row beside the row that differs from it only in
    /// having no normalization (the paper's central picture), each for that row's median seed.
    /// </summary>
    public static IReadOnlyList<(string Caption, IReadOnlyList<Figure> Figures)> NormHistograms(ReportModel model, ReportInputs inputs)
    {
        var groups = new List<(string, IReadOnlyList<Figure>)>();
        var configs = inputs.Definition.TrainedRows.ToDictionary(r => r.Name, inputs.Definition.ConfigFor);
        foreach (var l2 in configs.Values.Where(c => c.FeatureNorm == FeatureNormMode.TrainOnly))
        {
            var partner = configs.Values.FirstOrDefault(c => c.FeatureNorm == FeatureNormMode.None && SameExceptNorm(c, l2));
            foreach (var ood in model.OodSets.Keys)
            {
                var figures = new[] { l2, partner }.OfType<RunConfig>()
                    .Select(row => NormHistogram(model, inputs, row, ood)).OfType<Figure>().ToList();
                if (figures.Count > 0)
                    groups.Add(($"{Label(model, l2.Row)}{(partner is null ? "" : $" vs {Label(model, partner.Row)}")}: ‖z‖ on {model.InDistribution} test (ID) and {ood} (OoD)", figures));
            }
        }
        return groups;
    }

    private static Figure? NormHistogram(ReportModel model, ReportInputs inputs, RunConfig row, string ood)
    {
        if (MedianUnit(inputs, row.Row, ood, row.PrimaryScore) is not { } unit) return null;
        if (!TryScores(unit, row.InDistribution, ood, FeatureNormScore.ScoreName, out var id, out var oodNorms)) return null;
        var plot = NewPlot($"{Label(model, row.Row)}, seed {unit.Result.Seed}", "‖z‖ (penultimate feature norm)", "density");
        double lo = Math.Min(id.Min(), oodNorms.Min()), hi = Math.Max(id.Max(), oodNorms.Max());
        const int bins = 60;
        double width = (hi - lo) / bins;
        if (!(width > 0)) width = 1;
        AddHistogram(plot, id, lo, width, bins, IdColor, $"{model.InDistribution} (ID), {id.Length} images");
        AddHistogram(plot, oodNorms, lo, width, bins, OodColor, $"{ood} (OoD), {oodNorms.Length} images");
        var auroc = unit.Result.Ood[ood][FeatureNormScore.ScoreName].Auroc;
        plot.ShowLegend(Alignment.UpperRight);
        return Render(plot, $"norms-{row.Row}-{ood}",
            $"Histogram of ‖z‖ for {row.Row} seed {unit.Result.Seed}: ID vs {ood}; ‖z‖ AUROC {auroc:F3}.");
    }

    private static void AddHistogram(Plot plot, double[] values, double lo, double width, int bins, Color color, string legend)
    {
        var counts = new double[bins];
        foreach (var v in values) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
        var xs = Enumerable.Range(0, bins).Select(b => lo + (b + 0.5) * width).ToArray();
        var density = counts.Select(c => c / (values.Length * width)).ToArray();
        var bars = plot.Add.Bars(xs, density);
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = color.WithAlpha(0.55);
            bar.LineWidth = 0;
        }
        bars.LegendText = legend;
    }

    /// <summary>Per OoD set, the ROC curve of every row's median seed (by that set's AUROC), its FPR95 point marked.</summary>
    public static IReadOnlyList<Figure> RocCurves(ReportModel model, ReportInputs inputs) =>
        model.OodSets.Keys.Select(ood =>
        {
            var plot = NewPlot($"ROC on {ood} ({model.OodSets[ood]}), median seed per row", "FPR (share of OoD accepted as ID)", "TPR (share of ID accepted)");
            var chance = plot.Add.Line(0, 0, 1, 1);
            chance.Color = Colors.Gray;
            chance.LinePattern = LinePattern.Dotted;
            var level = plot.Add.HorizontalLine(FprAtTpr.DefaultTpr);
            level.Color = Colors.Gray;
            level.LinePattern = LinePattern.Dashed;
            level.LineWidth = 1;
            level.LegendText = "TPR 95% (● = FPR95)";
            int drawn = 0;
            foreach (var row in inputs.Definition.Rows)
            {
                if (MedianUnit(inputs, row.UnitRow, ood, row.Score) is not { } unit) continue;
                var config = inputs.Definition.ConfigFor(row);
                if (!TryScores(unit, config.InDistribution, ood, row.Score, out var id, out var oodScores)) continue;
                var curve = RocCurve.Compute(id, oodScores);
                var thin = curve.Thin(400);
                var color = RowColor(model, row.Name);
                var line = plot.Add.ScatterLine(thin.Fpr, thin.Tpr);
                line.Color = color;
                line.LineWidth = 2;
                var fpr95 = curve.FprAt(FprAtTpr.DefaultTpr, id.Length);
                line.LegendText = $"{row.Label} (seed {unit.Result.Seed}, {row.Score}): AUROC {curve.Area():F3}, FPR95 {fpr95:F3}";
                var point = plot.Add.Marker(fpr95, FprAtTpr.DefaultTpr);
                point.Color = color;
                point.Size = 11;
                drawn++;
            }
            plot.Axes.SetLimits(0, 1, 0, 1.01);
            plot.ShowLegend(Alignment.LowerRight);
            return Render(plot, $"roc-{ood}", $"ROC curves on {ood} for {drawn} row(s), median seed each, FPR at 95% TPR marked.");
        }).ToList();

    /// <summary>Loss, training accuracy and learning rate per epoch; every seed drawn, one colour per row.</summary>
    public static IReadOnlyList<Figure> TrainingCurves(ReportModel model, ReportInputs inputs)
    {
        var panels = new (string Title, string Y, Func<EpochRecord, double> Value)[]
        {
            ("Training loss", "mean loss over the epoch", r => r.Loss),
            ("Training accuracy", "accuracy on augmented training batches", r => r.Accuracy),
            ("Learning rate", "learning rate", r => r.LearningRate),
        };
        return panels.Select(p =>
        {
            var plot = NewPlot(p.Title, "epoch", p.Y);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            foreach (var row in inputs.Definition.TrainedRows)
            {
                bool first = true;
                foreach (var unit in inputs.Units.Where(u => u.Result.Row == row.Name && u.Result.Curve.Count > 0))
                {
                    var line = plot.Add.ScatterLine(unit.Result.Curve.Select(r => (double)r.Epoch).ToArray(), unit.Result.Curve.Select(p.Value).ToArray());
                    line.Color = RowColor(model, row.Name);
                    line.LineWidth = 1.5f;
                    line.MarkerSize = unit.Result.Curve.Count <= 20 ? 5 : 0;
                    if (first) { line.LegendText = row.Label; first = false; }
                }
            }
            plot.ShowLegend(Alignment.UpperRight);
            return Render(plot, $"curve-{p.Title}", $"{p.Title} per epoch for every finished unit; one colour per row.");
        }).ToList();
    }

    private static FinishedUnit? MedianUnit(ReportInputs inputs, string row, string ood, string score)
    {
        var units = inputs.Units.Where(u => u.Result.Row == row && u.Result.Ood.TryGetValue(ood, out var m) && m.ContainsKey(score))
            .OrderBy(u => u.Result.Ood[ood][score].Auroc).ThenBy(u => u.Result.Seed).ToList();
        return units.Count == 0 ? null : units[(units.Count - 1) / 2];
    }

    private static bool TryScores(FinishedUnit unit, string idSet, string ood, string score, out double[] id, out double[] oodScores)
    {
        id = oodScores = [];
        if (!File.Exists(UnitFiles.ScoresPath(unit.Dir, idSet)) || !File.Exists(UnitFiles.ScoresPath(unit.Dir, ood))) return false;
        var idAll = UnitFiles.ReadScores(unit.Dir, idSet);
        var oodAll = UnitFiles.ReadScores(unit.Dir, ood);
        if (!idAll.Scores.TryGetValue(score, out id!) || !oodAll.Scores.TryGetValue(score, out oodScores!)) return false;
        return id.Length > 0 && oodScores.Length > 0;
    }

    private static bool SameExceptNorm(RunConfig a, RunConfig b) => a.RecipeDifferences(b, "row", "featureNorm", "primaryScore", "seed").Count == 0;

    private static string Label(ReportModel model, string row) => model.Table.FirstOrDefault(t => t.Row == row)?.Label ?? row;

    private static Color RowColor(ReportModel model, string row)
    {
        var index = model.Table.ToList().FindIndex(t => t.Row == row);
        return new ScottPlot.Palettes.Category10().GetColor(Math.Max(0, index));
    }

    /// <summary>Seeds of one row spread a little sideways so equal values stay visible.</summary>
    private static double Jitter(int k, int n) => n <= 1 ? 0 : -0.2 + 0.4 * k / (n - 1);

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title, 15);
        if (x.Length > 0) plot.XLabel(x, 13);
        plot.YLabel(y, 13);
        return plot;
    }

    private static Figure Render(Plot plot, string id, string description) =>
        new(id, description, plot.GetSvgXml(Width, Height), Width, Height);
}
