using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>
/// A results folder on a real full or read-only file system: a small tmpfs mounted in a private mount namespace
/// (`unshare --mount --map-root-user`, so it needs no root on the host and leaves no mount behind), holding the
/// results of an earlier run. The run fails with one clear error; every earlier result is byte for byte intact.
/// </summary>
[Collection(TorchCollection.Name)]
public class DiskFaultTests(ITestOutputHelper output)
{
    private const string Script = """
        set -e
        mount -t tmpfs -o size="$SIZE" tmpfs "$MNT"
        cp -a "$EARLIER/." "$MNT/"
        if [ "$MODE" = ro ]; then mount -o remount,ro "$MNT"; fi
        set +e
        dotnet exec "$DLL" "$@"
        echo "repro exit status: $?"
        cp -a "$MNT/." "$AFTER/"
        """;

    private static (string Log, string After) RunOnTmpfs(TempDir temp, string earlier, string mode, long sizeBytes)
    {
        var mnt = Directory.CreateDirectory(Path.Combine(temp.Path, $"mnt-{mode}")).FullName;
        var after = Directory.CreateDirectory(Path.Combine(temp.Path, $"after-{mode}")).FullName;
        string[] args = ["--mount", "--map-root-user", "sh", "-c", Script, "sh", .. ReproProcess.TinyRunArgs(mnt, "0,1")];
        var env = new Dictionary<string, string>
        {
            ["SIZE"] = sizeBytes.ToString(), ["MNT"] = mnt, ["EARLIER"] = earlier, ["AFTER"] = after, ["MODE"] = mode, ["DLL"] = ReproProcess.Dll,
        };
        using var run = ReproProcess.StartCommand("unshare", args, environment: env);
        run.Wait(TimeSpan.FromMinutes(3));
        Assert.True(run.Output.Contains("repro exit status:"),
            $"could not set up the {mode} file system (needs `unshare` with mount namespaces: util-linux, and root or unprivileged user namespaces):\n{run.Output}");
        return (run.Output, after);
    }

    [Fact]
    public void Full_or_read_only_results_folder_fails_clearly_and_keeps_earlier_results()
    {
        using var temp = new TempDir();
        var earlier = Path.Combine(temp.Path, "earlier");
        using (var first = ReproProcess.Start(ReproProcess.TinyRunArgs(earlier, "0")))
            Assert.True(first.Wait(TimeSpan.FromMinutes(3)) == 0, first.Output);
        var used = Directory.EnumerateFiles(earlier, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        // Full: room for the earlier results and a little more (one width-8 checkpoint is 1.43 MB, two do not fit); the
        // next unit runs out of space part-way.
        var (fullLog, fullAfter) = RunOnTmpfs(temp, earlier, "full", used + 2_400_000);
        output.WriteLine(Tail(fullLog));
        Assert.Contains("repro exit status: 1", fullLog);
        Assert.Contains("error:", fullLog);
        Assert.Contains("No space left on device", fullLog);
        Assert.Contains("Finished units are untouched", fullLog);
        AssertEarlierIntact(earlier, fullAfter);

        // Given space again, the same command finishes, resuming the unit the full disk interrupted.
        using (var again = ReproProcess.Start(ReproProcess.TinyRunArgs(fullAfter, "0,1")))
        {
            Assert.True(again.Wait(TimeSpan.FromMinutes(3)) == 0, again.Output);
            Assert.Contains("resuming after epoch", again.Output);
        }
        Assert.Equal(6, ResultsFolder.FindFinished(fullAfter).Count);
        ReferenceRun.AssertNothingPartial(fullAfter);

        // Read-only: refused before anything is touched.
        var (roLog, roAfter) = RunOnTmpfs(temp, earlier, "ro", 64 << 20);
        output.WriteLine(Tail(roLog));
        Assert.Contains("repro exit status: 1", roLog);
        Assert.Contains($"cannot write to the results folder", roLog);
        Assert.Contains("Read-only file system", roLog);
        AssertEarlierIntact(earlier, roAfter);
        Assert.Equal(Directory.EnumerateFiles(earlier, "*", SearchOption.AllDirectories).Count(),
                     Directory.EnumerateFiles(roAfter, "*", SearchOption.AllDirectories).Count());
    }

    /// <summary>Every file of the earlier run is still there, byte for byte (report.html excepted: a run may rewrite it).</summary>
    private static void AssertEarlierIntact(string earlier, string after)
    {
        foreach (var file in Directory.EnumerateFiles(earlier, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(earlier, file);
            if (rel == Reporting.HtmlReport.FileName || rel.StartsWith(UnitClaim.Folder) || rel == ResultsManifest.FileName) continue;
            var copy = Path.Combine(after, rel);
            Assert.True(File.Exists(copy), $"{rel} of the earlier run is gone");
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(copy)), $"{rel} of the earlier run changed");
        }
        Assert.Equal(3, ResultsFolder.FindFinished(after).Count(u => u.Result.Seed == 0));
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').Where(l => !l.Contains('%')).TakeLast(8));
}
