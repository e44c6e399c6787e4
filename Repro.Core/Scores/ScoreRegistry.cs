namespace Repro.Scores;

/// <summary>The one place scores are registered; a test checks every <see cref="IOodScore"/> type appears here.</summary>
public static class ScoreRegistry
{
    public static IReadOnlyList<IOodScore> All { get; } =
        [new FeatureNormScore(), new MspScore(), new MaxLogitScore(), new EnergyScore()];

    public static IOodScore Get(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"unknown score '{name}'; known: {string.Join(", ", All.Select(s => s.Name))}");
}
