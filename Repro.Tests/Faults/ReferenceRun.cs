using System.Text.Json;
using Repro.Experiments;
using Repro.Runs;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>
/// One uninterrupted run of the fault tests' tiny experiment (3 rows × 4 seeds = 12 units), made once per test
/// class in a child process exactly as the faulted runs are, for them to be compared with value for value.
/// </summary>
public sealed class ReferenceRun : IDisposable
{
    public const string Seeds = "0,1,2,3";
    public const int Units = 12, EpochsPerUnit = 3;
    private readonly TempDir temp = new();
    public string Dir => Path.Combine(temp.Path, "reference");
    public TimeSpan Wall { get; }

    public ReferenceRun()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var run = ReproProcess.Start(ReproProcess.TinyRunArgs(Dir, Seeds));
        var code = run.Wait(TimeSpan.FromMinutes(5));
        Wall = clock.Elapsed;
        if (code != 0) throw new InvalidOperationException($"the reference run failed ({code}):\n{run.Output}");
    }

    /// <summary>
    /// Every unit of the reference exists in <paramref name="dir"/> with the same config, scores (byte for byte),
    /// metrics and training curve (all but wall-clock fields), and nothing partial is left anywhere.
    /// </summary>
    public void AssertSameResults(string dir)
    {
        var reference = ResultsFolder.FindFinished(Dir);
        var actual = ResultsFolder.FindFinished(dir).ToDictionary(u => (u.Result.Row, u.Result.Seed));
        Assert.Equal(Units, reference.Count);
        Assert.Equal(Units, actual.Count);
        foreach (var r in reference)
        {
            var a = actual[(r.Result.Row, r.Result.Seed)];
            var what = $"{r.Result.Row} seed {r.Result.Seed}";
            Assert.True(r.Config.ToJson() == a.Config.ToJson(), $"{what}: config differs");
            foreach (var file in Directory.EnumerateFiles(Path.Combine(r.Dir, UnitFiles.ScoresFolder)))
                Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(a.Dir, UnitFiles.ScoresFolder, Path.GetFileName(file)))),
                    $"{what}: {Path.GetFileName(file)} differs from the uninterrupted run");
            Assert.Equal(r.Result.Accuracy, a.Result.Accuracy);
            Assert.Equal(JsonSerializer.Serialize(r.Result.Ood), JsonSerializer.Serialize(a.Result.Ood));
            Assert.Equal(r.Result.Curve.Select(c => (c.Epoch, c.LearningRate, c.Loss, c.Accuracy)),
                         a.Result.Curve.Select(c => (c.Epoch, c.LearningRate, c.Loss, c.Accuracy)));
        }
        AssertNothingPartial(dir);
    }

    /// <summary>No torn temporary file, no unfinished unit folder, no checkpoint left in a finished unit.</summary>
    public static void AssertNothingPartial(string dir)
    {
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateDirectories(dir, "*.partial", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateDirectories(dir, "checkpoint", SearchOption.AllDirectories));
        foreach (var json in Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories))
            JsonDocument.Parse(File.ReadAllText(json)).Dispose();   // every JSON file whole
    }

    public void Dispose() => temp.Dispose();
}
