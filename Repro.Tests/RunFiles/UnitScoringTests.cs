using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Repro.Runs;
using Repro.Scores;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.RunFiles;

/// <summary>What a unit writes about its scores: every registered one, their cost, and on request the features as .npy.</summary>
[Collection(TorchCollection.Name)]
public class UnitScoringTests
{
    [Fact]
    public void A_unit_scores_every_set_with_every_score_and_saves_features_that_reproduce_the_norm_score()
    {
        using var dir = new TempDir();
        var config = TinyRun.Config();
        var unit = new UnitFolder(Path.Combine(dir.Path, "l2", "seed-1"), config.Row, config.Seed);
        var result = UnitRunner.RunStack([config], [unit], unit.PartialCheckpoint, TinyRun.Data, saveFeatures: true)[0];

        Assert.Equal(ScoreRegistry.Names.Order(), result.Ood["mnist"].Keys.Order());
        Assert.All(result.Ood["mnist"].Values, m => Assert.InRange(m.Fpr95OodPositive!.Value, 0, 1));
        Assert.All(result.Ood["mnist"].Values, m => Assert.InRange(m.AurocSe!.Value, 1e-5, 0.05));
        var cost = result.ScoreCost!;
        Assert.True(cost.IdTrainPass > 0);
        Assert.Equal(ScoreRegistry.Names.Order(), cost.Score.Keys.Order());
        Assert.Equal(ScoreRegistry.Create().OfType<IFittedScore>().Select(s => s.Name).Order(), cost.Fit.Keys.Order());
        Assert.Contains("\"scoreCost\"", File.ReadAllText(Path.Combine(unit.Dir, UnitFiles.Metrics)));

        var (trainRows, trainColumns, _) = ReadNpy(UnitFiles.FeaturesPath(unit.Dir, "fashion-mnist-train"));
        Assert.Equal((2048, 64), (trainRows, trainColumns));   // the images it trained on; width 8 → 64 features
        var (rows, columns, features) = ReadNpy(UnitFiles.FeaturesPath(unit.Dir, "mnist"));
        Assert.Equal((10_000, 64), (rows, columns));
        // Anyone with NumPy can recompute a score from the features: ‖z‖ from the .npy equals the feature_norm column.
        var norms = UnitFiles.ReadScores(unit.Dir, "mnist").Scores[FeatureNormScore.ScoreName];
        foreach (int i in new[] { 0, 1, 4_999, 9_999 })
            Assert.Equal(norms[i], Math.Sqrt(features.Skip(i * columns).Take(columns).Sum(v => (double)v * v)), 4);
    }

    /// <summary>A plain reader of what NpyFile writes (shape from the header dict, float32 C-order data).</summary>
    private static (int Rows, int Columns, float[] Values) ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | bytes[9] << 8;
        var shape = Regex.Match(Encoding.ASCII.GetString(bytes, 10, headerLength), @"'shape': \((\d+), (\d+)\)");
        int rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture), columns = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        var values = new float[rows * columns];
        Buffer.BlockCopy(bytes, 10 + headerLength, values, 0, values.Length * 4);
        return (rows, columns, values);
    }
}
