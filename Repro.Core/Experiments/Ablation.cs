namespace Repro.Experiments;

/// <summary>One method at one level of an axis (every other axis at its base): the row trained there.</summary>
public sealed record AblationPoint(string Level, TableRow Row);

/// <summary>Two cells' own-score AUROCs paired seed by seed on one OoD set: what is compared, and the statistics (null under two shared seeds).</summary>
public sealed record AblationDifference(string Ood, string Comparison, PairedDifference? Paired);

/// <summary>One method along one axis: its points in level order, and each level's AUROC against the base level's.</summary>
public sealed record MethodAlongAxis(string Method, string Label, string OwnScore, IReadOnlyList<AblationPoint> Points,
    IReadOnlyList<AblationDifference> FromBase);

/// <summary>
/// One axis of a definition's sweeps, read across the methods (rows) swept along it: per method its effect, and per
/// pair of methods their difference at each level and how that difference changes from the base level (method × axis).
/// </summary>
public sealed record AxisAblation(string Axis, IReadOnlyList<string> Levels, IReadOnlyList<MethodAlongAxis> Methods,
    IReadOnlyList<AblationDifference> Contrasts, IReadOnlyList<AblationDifference> Interactions);

/// <summary>
/// What a definition's sweeps say (<see cref="Sweep"/>), from its table: per axis the effect plot's points and the paired
/// differences between cells; for a method swept over two axes as a grid, their interaction. Every difference pairs
/// the seeds both sides finished (each row's own score, the one it is judged by), so seed-to-seed variation shared by
/// two cells cancels. Null for a definition without sweeps.
/// </summary>
public sealed record Ablation(string SecondScore, IReadOnlyList<AxisAblation> Axes, IReadOnlyList<AblationDifference> GridInteractions,
    IReadOnlyList<AblationDifference> BaseContrasts)
{
    public static Ablation? Of(PaperTable table)
    {
        var cells = table.Rows.Where(r => r.Definition.Cell is not null).ToList();
        if (cells.Count == 0) return null;
        var oods = table.Definition.OodSets.Keys.ToList();
        var axes = cells.SelectMany(r => r.Definition.Cell!.Axes.Select(a => a.Name)).Distinct()
            .Select(axis => AlongAxis(axis, cells, oods)).ToList();
        return new Ablation(table.Definition.SecondScore, axes, GridInteractionsOf(cells, oods), BaseContrastsOf(cells, oods));
    }

    /// <summary>
    /// Every two methods at their bases (every axis at its first level), whether or not they share an axis: e.g. LogitNorm+
    /// against LogitNorm, whose base is LogitNorm+ with all three additions taken away.
    /// </summary>
    private static List<AblationDifference> BaseContrastsOf(IReadOnlyList<TableRow> cells, IReadOnlyList<string> oods)
    {
        var bases = cells.Where(r => r.Definition.Cell!.Axes.Select((a, i) => r.Definition.Cell.Levels[i] == a.Levels[0].Name).All(x => x))
            .DistinctBy(r => r.Definition.Cell!.Method).ToList();
        return oods.SelectMany(ood => bases.SelectMany((first, i) => bases.Skip(i + 1).Select(second => Difference(ood,
            $"{first.Definition.Cell!.MethodLabel} − {second.Definition.Cell!.MethodLabel} (bases)", first.Own(ood).Auroc, second.Own(ood).Auroc)))).ToList();
    }

    private static AxisAblation AlongAxis(string axis, IReadOnlyList<TableRow> cells, IReadOnlyList<string> oods)
    {
        var methods = cells.Where(r => r.Definition.Cell!.Axes.Any(a => a.Name == axis)).GroupBy(r => r.Definition.Cell!.Method).Select(g =>
        {
            var cell = g.First().Definition.Cell!;
            var levels = cell.Axes.First(a => a.Name == axis).LevelNames;
            var points = levels.Select(level => g.FirstOrDefault(r => r.Definition.Cell!.VariesOnly(axis) && r.Definition.Cell.LevelOf(axis) == level))
                .Zip(levels).Where(x => x.First is not null).Select(x => new AblationPoint(x.Second, x.First!)).ToList();
            var fromBase = oods.SelectMany(ood => points.Skip(1).Select(p =>
                Difference(ood, $"{cell.MethodLabel}: {p.Level} − {points[0].Level}", p.Row.Own(ood).Auroc, points[0].Row.Own(ood).Auroc))).ToList();
            return new MethodAlongAxis(cell.Method, cell.MethodLabel, g.First().Definition.Score, points, fromBase);
        }).ToList();
        var allLevels = methods.SelectMany(m => m.Points.Select(p => p.Level)).Distinct().ToList();

        var contrasts = new List<AblationDifference>();
        var interactions = new List<AblationDifference>();
        foreach (var (first, i) in methods.Select((m, i) => (m, i)))
            foreach (var second in methods.Skip(i + 1))
            {
                var shared = first.Points.Select(p => p.Level).Where(l => second.Points.Any(p => p.Level == l)).ToList();
                foreach (var ood in oods)
                {
                    SeedValues Gap(string level) => Own(first, level, ood).Minus(Own(second, level, ood));
                    contrasts.AddRange(shared.Select(level => Difference(ood, $"{first.Label} − {second.Label} at {level}", Own(first, level, ood), Own(second, level, ood))));
                    if (shared.Count >= 2)
                        interactions.AddRange(shared.Skip(1).Select(level => Difference(ood,
                            $"({first.Label} − {second.Label}) at {level} − at {shared[0]}", Gap(level), Gap(shared[0]))));
                }
            }
        return new AxisAblation(axis, allLevels, methods, contrasts, interactions);
    }

    /// <summary>For a method swept as a grid over two or more axes: (a, b) − (a, base) − (base, b) + (base, base), per pair of axes.</summary>
    private static List<AblationDifference> GridInteractionsOf(IReadOnlyList<TableRow> cells, IReadOnlyList<string> oods)
    {
        var found = new List<AblationDifference>();
        foreach (var method in cells.GroupBy(r => r.Definition.Cell!.Method))
        {
            var axes = method.First().Definition.Cell!.Axes;
            TableRow? At(IReadOnlyDictionary<int, string> levels) => method.FirstOrDefault(r =>
                axes.Select((a, i) => r.Definition.Cell!.Levels[i] == (levels.TryGetValue(i, out var l) ? l : a.Levels[0].Name)).All(x => x));
            for (int a = 0; a < axes.Count; a++)
                for (int b = a + 1; b < axes.Count; b++)
                    foreach (var la in axes[a].LevelNames.Skip(1))
                        foreach (var lb in axes[b].LevelNames.Skip(1))
                        {
                            string a0 = axes[a].Levels[0].Name, b0 = axes[b].Levels[0].Name;
                            if (At(new Dictionary<int, string> { [a] = la, [b] = lb }) is not { } both || At(new Dictionary<int, string> { [a] = la }) is not { } onlyA
                                || At(new Dictionary<int, string> { [b] = lb }) is not { } onlyB || At(new Dictionary<int, string>()) is not { } baseCell) continue;
                            foreach (var ood in oods)
                                found.Add(Difference(ood,
                                    $"{method.First().Definition.Cell!.MethodLabel}: ({axes[b].Name} {lb} − {b0}) at {axes[a].Name} {la} − at {a0}",
                                    both.Own(ood).Auroc.Minus(onlyA.Own(ood).Auroc), onlyB.Own(ood).Auroc.Minus(baseCell.Own(ood).Auroc)));
                        }
        }
        return found;
    }

    private static SeedValues Own(MethodAlongAxis method, string level, string ood) =>
        method.Points.First(p => p.Level == level).Row.Own(ood).Auroc;

    private static AblationDifference Difference(string ood, string comparison, SeedValues first, SeedValues second) =>
        new(ood, comparison, first.PerSeed.Select(v => v.Seed).Intersect(second.PerSeed.Select(v => v.Seed)).Count() < 2 ? null : SeedStatistics.Compare(first, second));
}
