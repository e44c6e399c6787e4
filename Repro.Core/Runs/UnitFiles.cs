using System.Globalization;
using System.Text;
using Repro.Training;

namespace Repro.Runs;

/// <summary>
/// The files of one unit's folder and their formats, each written and read here only — config.json, metrics.json,
/// curve.csv, scores/&lt;set&gt;.csv, features/&lt;set&gt;.npy (the trained weights: UnitModel; a failure: UnitFailure).
/// Where the folder is and what state it is in: <see cref="UnitFolder"/>; finding units: <see cref="ResultsFolder"/>.
/// </summary>
public static class UnitFiles
{
    public const string Metrics = "metrics.json";
    public const string Config = "config.json";
    public const string Curve = "curve.csv";
    public const string ScoresFolder = "scores";
    /// <summary>With `repro run --save-features`: features/&lt;set&gt;.npy, float32 [images, feature dim], one per scored set and the ID training images.</summary>
    public const string FeaturesFolder = "features";

    public static string FeaturesPath(string unitDir, string name) => Path.Combine(unitDir, FeaturesFolder, $"{name}.npy");

    /// <summary>Writes one set's features as .npy (Runs/NpyFile.cs), for fitting other scores with other tools.</summary>
    public static void WriteFeatures(string dir, string name, float[] features, int dim)
    {
        Directory.CreateDirectory(Path.Combine(dir, FeaturesFolder));
        NpyFile.WriteFloat32(FeaturesPath(dir, name), features, dim == 0 ? 0 : features.Length / dim, dim);
    }

    /// <summary>Writes a unit's files into <paramref name="dir"/>; metrics.json last, as it is what marks a unit finished.</summary>
    public static void Write(string dir, RunConfig config, UnitResult result, IEnumerable<SampleScores> scores)
    {
        Directory.CreateDirectory(Path.Combine(dir, ScoresFolder));
        WriteConfig(dir, config);
        File.WriteAllText(Path.Combine(dir, Curve), CurveCsv(result.Curve));
        foreach (var s in scores)
            File.WriteAllText(ScoresPath(dir, s.DataSet), ScoresCsv(s, ["index"], i => [i.ToString(CultureInfo.InvariantCulture)]));
        Platform.CrashPoint.Here("unit.files");
        File.WriteAllText(Path.Combine(dir, Metrics), System.Text.Json.JsonSerializer.Serialize(result, JsonFiles.Options));
    }

    /// <summary>A unit's folder is finished when its metrics.json is there: written last, it marks the rest complete.</summary>
    public static bool HasResult(string dir) => File.Exists(Path.Combine(dir, Metrics));

    public static void WriteConfig(string dir, RunConfig config) => File.WriteAllText(Path.Combine(dir, Config), config.ToJson());

    /// <summary>The unit's config.json, validated; a folder without one is not a unit, and a bad one names file and key.</summary>
    public static RunConfig ReadConfig(string unitDir)
    {
        var path = Path.Combine(unitDir, Config);
        if (!File.Exists(path)) throw new ReproException($"{unitDir} has no {Config}; it is not a unit folder");
        return RunConfig.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>The unit's metrics.json: what makes it finished.</summary>
    public static UnitResult ReadResult(string unitDir)
    {
        var path = Path.Combine(unitDir, Metrics);
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<UnitResult>(File.ReadAllText(path), JsonFiles.Options)
                   ?? throw new DataFormatException(path, "a unit result object", "null");
        }
        catch (System.Text.Json.JsonException e) { throw new DataFormatException(path, "a unit result (metrics.json)", $"invalid JSON: {e.Message}"); }
    }

    public static string ScoresPath(string unitDir, string dataSet) => Path.Combine(unitDir, ScoresFolder, $"{dataSet}.csv");

    public static string CurveCsv(IEnumerable<EpochRecord> curve)
    {
        var sb = new StringBuilder("epoch,lr,loss,train_accuracy,seconds,images_per_second\n");
        foreach (var r in curve)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.LearningRate:R},{r.Loss:R},{r.Accuracy:R},{r.Seconds:F3},{r.ImagesPerSecond:F1}"));
        return sb.ToString();
    }

    /// <summary>
    /// One row per sample: the columns that name it (<paramref name="keyColumns"/>; a unit's scores/&lt;set&gt;.csv its
    /// index, `repro score`'s scores.csv an image's path and class), label, predicted class, then one column per score
    /// (full precision).
    /// </summary>
    public static string ScoresCsv(SampleScores s, string[] keyColumns, Func<int, string[]> keyOf)
    {
        var names = s.Scores.Keys.ToList();
        var sb = new StringBuilder(string.Join(',', keyColumns) + ",label,prediction," + string.Join(',', names) + "\n");
        for (int i = 0; i < s.Labels.Length; i++)
        {
            sb.AppendJoin(',', keyOf(i).Select(Quote)).Append(CultureInfo.InvariantCulture, $",{s.Labels[i]},{s.Predictions[i]}");
            foreach (var n in names) sb.Append(',').Append(s.Scores[n][i].ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>Reads scores/&lt;set&gt;.csv back; a malformed file fails naming the file, line and what was expected.</summary>
    public static SampleScores ReadScores(string unitDir, string dataSet)
    {
        var path = ScoresPath(unitDir, dataSet);
        if (!File.Exists(path)) throw new ReproException($"{path} does not exist (the unit has no scores for '{dataSet}')");
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.Split(',');
        if (header is null || header.Length < 4 || header[0] != "index" || header[1] != "label" || header[2] != "prediction")
            throw new DataFormatException(path, "a header 'index,label,prediction,<score>...'", header is null ? "an empty file" : string.Join(',', header));
        var names = header[3..];
        var labels = new List<long>();
        var predictions = new List<long>();
        var columns = names.Select(_ => new List<double>()).ToArray();
        int lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != header.Length
                || !long.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var label)
                || !long.TryParse(cells[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var prediction))
                throw new DataFormatException(path, $"line {lineNumber}: {header.Length} comma-separated values (integer label and prediction)",
                    line.Length > 80 ? line[..80] + "…" : line);
            labels.Add(label);
            predictions.Add(prediction);
            for (int c = 0; c < names.Length; c++)
            {
                if (!double.TryParse(cells[3 + c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new DataFormatException(path, $"line {lineNumber}: a number in column '{names[c]}'", cells[3 + c]);
                columns[c].Add(value);
            }
        }
        return new SampleScores(dataSet, labels.ToArray(), predictions.ToArray(),
            names.Select((n, c) => (n, c)).ToDictionary(x => x.n, x => columns[x.c].ToArray()));
    }
}
