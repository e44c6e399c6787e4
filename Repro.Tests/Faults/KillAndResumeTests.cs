using System.Diagnostics;
using System.Text.RegularExpressions;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>
/// A run killed with SIGKILL over and over — at random moments and exactly inside multi-file writes — then restarted
/// each time, ends with the results of an uninterrupted run, value for value, nothing partial left; and two runners
/// sharing one results folder train each unit once, even when one of them is killed holding a unit.
/// </summary>
[Collection(TorchCollection.Name)]
public partial class KillAndResumeTests(ReferenceRun reference, ITestOutputHelper output) : IClassFixture<ReferenceRun>
{
    /// <summary>Where the crash points sit: mid-checkpoint, before its pointer, before an atomic rename, mid-result, before the unit's rename.</summary>
    private static readonly string[] Schedule =
    [
        "random", "checkpoint.files:2", "random", "checkpoint.pointer:2", "random", "atomic.rename:1", "random",
        "unit.files:1", "random", "checkpoint.files:1", "random", "unit.rename:1", "random", "atomic.rename:3",
    ];

    [GeneratedRegex(@"epoch \d+/\d+ done")] private static partial Regex EpochDone();
    [GeneratedRegex(@": width 8, 3 epochs")] private static partial Regex UnitStart();
    [GeneratedRegex(@"resuming after epoch \d+")] private static partial Regex Resume();

    [Fact]
    public void Killed_anywhere_and_restarted_ends_equal_to_an_uninterrupted_run()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "killed");
        var random = new Random(20261126);
        var kills = new List<string>();
        int epochsTrained = 0, resumes = 0;
        var clock = Stopwatch.StartNew();
        bool finishedEarly = false;
        while (kills.Count < 24)
        {
            var mode = Schedule[kills.Count % Schedule.Length];
            using var run = ReproProcess.Start(ReproProcess.TinyRunArgs(dir, ReferenceRun.Seeds), mode == "random" ? null : mode);
            if (mode == "random")
            {
                // 1–8% of the uninterrupted run (0.4–3 s here): scaled, so a faster machine still gets killed mid-run.
                var delay = reference.Wall * (0.01 + 0.07 * random.NextDouble());
                Thread.Sleep(delay);
                if (run.HasExited) { finishedEarly = true; Count(run.Output); break; }
                run.Kill();
                kills.Add($"random after {delay.TotalSeconds:F1} s");
            }
            else
            {
                var code = run.Wait(TimeSpan.FromMinutes(3));
                if (code == 0) { finishedEarly = true; Count(run.Output); break; }
                Assert.True(code == 137, $"crash point {mode}: expected death by SIGKILL (137), got exit {code}:\n{run.Output}");
                kills.Add(mode);
            }
            Count(run.Output);
        }
        Assert.False(finishedEarly, $"the run finished after only {kills.Count} kills; make it longer");

        using (var last = ReproProcess.Start(ReproProcess.TinyRunArgs(dir, ReferenceRun.Seeds)))
        {
            Assert.True(last.Wait(TimeSpan.FromMinutes(5)) == 0, last.Output);
            Count(last.Output);
        }
        reference.AssertSameResults(dir);

        int lost = epochsTrained - ReferenceRun.Units * ReferenceRun.EpochsPerUnit;
        output.WriteLine($"{kills.Count} kills survived ({string.Join("; ", kills)}); {resumes} unit resumes from a checkpoint; " +
                         $"{lost} epochs trained again in all ({(double)lost / kills.Count:F2} per kill, each ≤ 1 epoch of one unit); " +
                         $"faulted wall {clock.Elapsed.TotalSeconds:F0} s vs uninterrupted {reference.Wall.TotalSeconds:F0} s");
        Assert.InRange(lost, 0, kills.Count);
        Assert.True(resumes > 0, "no unit ever resumed from a checkpoint");

        void Count(string log)
        {
            epochsTrained += EpochDone().Count(log);
            resumes += Resume().Count(log);
        }
    }

    [Fact]
    public void Two_runners_on_one_folder_train_each_unit_once_even_when_one_is_killed()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "shared");
        var args = ReproProcess.TinyRunArgs(dir, ReferenceRun.Seeds);
        string logA, logB, logC;
        using (var a = ReproProcess.Start(args))
        using (var b = ReproProcess.Start(args))
        {
            // Kill A while it holds a unit with a checkpoint: its 5th epoch line is its second unit's 2nd epoch, so that
            // unit's 1st epoch is saved (epochs of 256 images take ~0.1 s and a unit's evaluation ~1.5 s: the poll is in time).
            var clock = Stopwatch.StartNew();
            while (!a.HasExited && EpochDone().Count(a.Output) < 5 && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            a.Kill();
            Assert.True(b.Wait(TimeSpan.FromMinutes(5)) == 0, b.Output);
            (logA, logB) = (a.Output, b.Output);
        }
        Assert.Contains("being run by another runner", logB + logA);
        // A third runner finishes whatever is left. A's claim died with it, so B (when it reaches that unit) or C resumes it.
        using (var c = ReproProcess.Start(args))
        {
            Assert.True(c.Wait(TimeSpan.FromMinutes(5)) == 0, c.Output);
            logC = c.Output;
        }
        reference.AssertSameResults(dir);

        // Every unit was started exactly once, except the continuation of the one A held when it died.
        var starts = new[] { logA, logB, logC }.Select(l => UnitStart().Count(l)).ToArray();
        var resumes = Resume().Count(logB) + Resume().Count(logC);
        output.WriteLine($"unit starts: A {starts[0]} (killed), B {starts[1]}, C {starts[2]}; resumed from A's checkpoint: {resumes}");
        Assert.Equal(1, resumes);
        Assert.Equal(ReferenceRun.Units + resumes, starts.Sum());
    }
}
