namespace Repro.Scores;

/// <summary>The one place scores are registered; a test checks every <see cref="IOodScore"/> type appears here.</summary>
public static class ScoreRegistry
{
    /// <summary>Fresh instances of every score, in table order; the fitted ones still to be fitted (and disposed).</summary>
    public static IReadOnlyList<IOodScore> Create() =>
        [
            new FeatureNormScore(), new MspScore(), new MaxLogitScore(), new EnergyScore(),
            new MahalanobisScore(), new GmmDensityScore(), new KnnScore(), new VimScore(), new ReactScore(), new GenScore(),
            new FdbdScore(), new RmdsScore(), new AshSScore(), new ScaleScore(), new NciScore(),
        ];

    /// <summary>Every score's name, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = Create().Select(s => s.Name).ToList();

    /// <summary>A fresh instance of one score.</summary>
    public static IOodScore Get(string name) =>
        Create().FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"unknown score '{name}'; known: {string.Join(", ", Names)}");
}
